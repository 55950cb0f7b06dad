/**
 * What the model sees after a look (a program whose value has no "summary"): the value,
 * what it printed, an account of its tool calls and the variables the next program can use,
 * cut to a byte budget so a model is never sent megabytes.
 */
import type { ProgramState, SideEffect, ToolCallRecord } from "../execute/types.js";
import { isRebuiltValue } from "../sandbox/state-capture.js";
import { toJsonSafe } from "../sandbox/values.js";
import { pythonTypeName } from "../tools/python/type-hints.js";
import { lookEffectsLine } from "./effects-text.js";

export interface ObservationInput {
  turn: number;
  maxTurns: number;
  value: unknown;
  output: string;
  toolCalls: readonly ToolCallRecord[];
  state: ProgramState | undefined;
  /** The look's calls that changed things (side-effecting tools), named in the message. */
  effects?: readonly SideEffect[];
  /** The whole message stays within this many bytes (UTF-8), notes included. */
  maxBytes: number;
}

/** The user message that hands a look's result back to the model. */
export function observationMessage(input: ObservationInput): string {
  const { turn, maxTurns, maxBytes } = input;
  const tail = [
    `Tool calls: ${toolCallLine(input.toolCalls)}`,
    ...lookEffectsLine(input.effects ?? []),
    ...stateLines(input.state),
    turn + 1 >= maxTurns
      ? 'This was the last look: reply now with the final answer (a program ending in a dict with "summary", or plain text).'
      : 'Go on: look further, or answer (a program ending in a dict with "summary", or plain text).',
  ].join("\n");
  const head = `The program ran (turn ${turn} of ${maxTurns}). Its value:`;
  // The value gets most of the budget; printed text what is left of its share.
  const room = Math.max(200, maxBytes - byteLength(head) - byteLength(tail) - 40);
  const json = valueJson(input.value);
  const output = input.output.trim();
  const valueRoom = output === "" ? room : Math.max(100, Math.floor(room * 0.7));
  const valueText = cutBytes(json, valueRoom, narrowingHint(input.value));
  const outputRoom = room - byteLength(valueText);
  const parts = [head, valueText];
  if (output !== "") {
    parts.push(
      "It printed:",
      fenced(cutBytes(output, Math.max(100, outputRoom - 16), "print less")),
    );
  }
  parts.push(tail);
  return parts.join("\n");
}

function valueJson(value: unknown): string {
  try {
    return JSON.stringify(toJsonSafe(value)) ?? "None";
  } catch {
    return String(value);
  }
}

/** `text` kept to `max` bytes; past it, the start and a note of how much was left out. */
function cutBytes(text: string, max: number, hint: string): string {
  const size = byteLength(text);
  if (size <= max) return text;
  const note = `\n[... ${size - max} of ${size} bytes left out; to see what you need, ${hint}]`;
  const kept = Buffer.from(text)
    .subarray(0, Math.max(0, max - byteLength(note)))
    .toString();
  // A cut through a multi-byte character leaves U+FFFD at the end: drop it.
  return `${kept.replace(/\uFFFD$/, "")}${note}`;
}

function narrowingHint(value: unknown): string {
  if (Array.isArray(value)) {
    return `end with a slice (rows[:5]), the keys you need ([{"id": r["id"]} for r in rows]) or an aggregate (len, sum); the value is a list of ${value.length} items`;
  }
  if (value !== null && typeof value === "object") {
    return `end with the keys you need ({k: data[k] for k in ["a", "b"]}) or list(data.keys()); the value is a dict of ${Object.keys(value).length} keys`;
  }
  return "end with a slice (text[:500]) or a summary of it";
}

function toolCallLine(calls: readonly ToolCallRecord[]): string {
  if (calls.length === 0) return "none";
  const byTool = new Map<string, number>();
  for (const call of calls) byTool.set(call.name, (byTool.get(call.name) ?? 0) + 1);
  const counts = [...byTool].map(([name, n]) => `${name} x${n}`).join(", ");
  const failed = calls.filter((c) => !c.ok);
  if (failed.length === 0) return `${calls.length} (${counts}), all succeeded`;
  const first = failed[0]!;
  const why = first.error ? `${first.error.type}: ${first.error.message}` : "failed";
  // The message is the tool's (or the program's) text: quoted, so it cannot pose as ours.
  return `${calls.length} (${counts}), ${failed.length} failed; the first: ${first.name}() ${JSON.stringify(cutBytes(why, 300, ""))}`;
}

function stateLines(state: ProgramState | undefined): string[] {
  if (!state) return [];
  const names = Object.keys(state.variables);
  const lines: string[] = [];
  if (names.length > 0) {
    const shown = names.slice(0, 40).map((n) => `${n} (${pythonKind(state.variables[n])})`);
    const more = names.length > 40 ? `, and ${names.length - 40} more` : "";
    lines.push(`Variables the next program can use as they are: ${shown.join(", ")}${more}`);
  }
  const isCode = (kind: string | undefined) =>
    kind === undefined || kind === "function" || kind === "module";
  const notData = state.dropped
    .filter((d) => d.reason === "not data" && isCode(d.kind))
    .map((d) => d.name);
  const otherKinds = state.dropped
    .filter((d) => d.reason === "not data" && !isCode(d.kind))
    .map((d) => `${d.name} (${JSON.stringify(d.kind)})`);
  const tooLarge = state.dropped.filter((d) => d.reason === "too large").map((d) => d.name);
  if (notData.length > 0) {
    lines.push(
      `Not kept (functions and imports): ${notData.join(", ")}; define or import them again where you need them.`,
    );
  }
  if (otherKinds.length > 0) {
    lines.push(
      `Not kept (values of these types cannot cross to the next program): ${otherKinds.join(", ")}; make them again where you need them, or keep their data (list(it)).`,
    );
  }
  if (tooLarge.length > 0) {
    lines.push(
      `Not kept (too large to keep): ${tooLarge.join(", ")}; keep a smaller part of them instead.`,
    );
  }
  return lines;
}

/** A short Python description of a kept value (Monty's own representation): "list of 3". */
export function pythonKind(value: unknown): string {
  if (isRebuiltValue(value)) {
    const { __codemode_rebuild__: kind, value: inner } = value;
    if (kind === "frozenset" && inner instanceof Set) return `frozenset of ${inner.size}`;
    return kind;
  }
  const name = pythonTypeName(value);
  if (name === "Date" || name === "DateTime") return name.toLowerCase();
  if (typeof value === "string") return `str of ${value.length} chars`;
  if (value instanceof Map || value instanceof Set) return `${name} of ${value.size}`;
  if (value instanceof Uint8Array || Array.isArray(value)) return `${name} of ${value.length}`;
  if (name === "dict") return `dict of ${Object.keys(value as object).length} keys`;
  return name;
}

/**
 * Text the program controls (what it printed, an error's message) as a fenced block whose
 * fence is longer than any run of backticks inside, so none of its lines can pose as the
 * library's own lines around it.
 */
export function fenced(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text);
}
