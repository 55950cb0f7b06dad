/**
 * What a conversation remembers between its messages: the data variables its programs left
 * (a `ProgramState`, as `execute({ keepState })` returns it), optionally bound to a chat.
 * `agent.run(message, history, { state })` starts from it; the run's result carries the
 * next one. This module checks a state handed back by a caller, keeps it within
 * `turns.maxStateBytes`, writes the note that tells the model which variables exist, and
 * seals a state into a signed string for callers that must hand it to someone else (a
 * durable run's client), the way a continuation is sealed.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import { ConversationStateError } from "../errors.js";
import type { ProgramState } from "../execute/types.js";
import { toJsonSafe } from "../sandbox/values.js";
import { isPythonIdentifier } from "../tools/python/names.js";
import { pythonKind } from "./observation.js";

/** A `ProgramState` that belongs to one chat (`AgentRunOptions.chatId`) when the run named one. */
export interface ConversationState extends ProgramState {
  /** The chat whose runs made it; a run of another chat refuses it. */
  readonly chatId?: string;
}

/** Default `maxStateBytes`: 1 MiB, as `v8.serialize` writes the variables. */
export const DEFAULT_MAX_STATE_BYTES = 1024 * 1024;

/** Most variables the prompt's note lists, and the longest preview of one. */
const NOTE_MAX_VARIABLES = 30;
const NOTE_PREVIEW_CHARS = 80;
const NOTE_MAX_BYTES = 3000;

/**
 * The state a run starts from, checked: a `ProgramState` (or a string sealed by
 * `sealConversationState`) of this chat. Anything else is a `ConversationStateError`; the
 * caller starts without state then. Variables named like a tool are left out (a tool set
 * that changed between messages).
 */
export function checkConversationState(
  given: unknown,
  chatId: string | undefined,
  options: { secret: Uint8Array; toolNames: ReadonlySet<string> },
): ConversationState {
  const state = typeof given === "string" ? openSealed(given, options.secret) : given;
  if (!isProgramState(state)) {
    throw new ConversationStateError(
      "not-state",
      "`state` must be an earlier run's `result.state` ({ variables, dropped }) as it was, or a string from agent.sealState()",
    );
  }
  const boundTo = (state as ConversationState).chatId;
  if (boundTo !== undefined && boundTo !== chatId) {
    throw new ConversationStateError(
      "other-chat",
      chatId === undefined
        ? "the state belongs to a chat, and this run names none (pass the chat's chatId)"
        : "the state belongs to another chat than this run's chatId",
    );
  }
  const variables: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(state.variables)) {
    if (!options.toolNames.has(name)) variables[name] = value;
  }
  return { variables, dropped: [...state.dropped] };
}

function isProgramState(value: unknown): value is ProgramState {
  if (value === null || typeof value !== "object") return false;
  const { variables, dropped } = value as { variables?: unknown; dropped?: unknown };
  if (variables === null || typeof variables !== "object" || Array.isArray(variables)) return false;
  if (Object.getPrototypeOf(variables) !== Object.prototype) return false;
  if (!Object.keys(variables).every(isPythonIdentifier)) return false;
  return (
    Array.isArray(dropped) &&
    dropped.every(
      (d) =>
        d !== null &&
        typeof d === "object" &&
        typeof (d as { name?: unknown }).name === "string" &&
        ((d as { reason?: unknown }).reason === "not data" ||
          (d as { reason?: unknown }).reason === "too large"),
    )
  );
}

/**
 * `state` within `maxBytes` (each variable sized as `v8.serialize` writes it): past it the
 * largest variables are dropped, listed in `dropped` as "too large", so the next prompt
 * says which. Bound to `chatId` when given.
 */
export function boundConversationState(
  state: ProgramState,
  maxBytes: number,
  chatId: string | undefined,
): ConversationState {
  const sizes = Object.entries(state.variables).map(([name, value]) => ({
    name,
    bytes: serializedBytes(value),
  }));
  let total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  const variables: Record<string, unknown> = { ...state.variables };
  const dropped = [...state.dropped];
  for (const { name, bytes } of [...sizes].sort((a, b) => b.bytes - a.bytes)) {
    if (total <= maxBytes) break;
    delete variables[name];
    dropped.push({ name, reason: "too large" });
    total -= bytes;
  }
  return { variables, dropped, ...(chatId !== undefined ? { chatId } : {}) };
}

function serializedBytes(value: unknown): number {
  try {
    return serialize(value).byteLength;
  } catch {
    return Number.POSITIVE_INFINITY; // cannot be stored: never kept
  }
}

/**
 * The note added to the user's message when the run starts with variables: which exist
 * (name, Python type, a short preview), and which were too large to keep. Bounded.
 */
export function conversationStateNote(state: ProgramState): string | undefined {
  const names = Object.keys(state.variables);
  const tooLarge = state.dropped.filter((d) => d.reason === "too large").map((d) => d.name);
  if (names.length === 0 && tooLarge.length === 0) return undefined;
  const lines: string[] = [];
  if (names.length > 0) {
    lines.push(
      "Variables kept from earlier in this conversation (your first program starts with them defined; reuse them instead of calling tools again):",
    );
    let bytes = 0;
    let shown = 0;
    for (const name of names.slice(0, NOTE_MAX_VARIABLES)) {
      const line = `- ${name}: ${pythonKind(state.variables[name])} = ${preview(state.variables[name])}`;
      bytes += Buffer.byteLength(line) + 1;
      if (bytes > NOTE_MAX_BYTES) break;
      lines.push(line);
      shown += 1;
    }
    if (shown < names.length) {
      lines.push(
        `- and ${names.length - shown} more: ${names.slice(shown, shown + 50).join(", ")}`,
      );
    }
  }
  if (tooLarge.length > 0) {
    lines.push(
      `Not kept (too large to keep between messages): ${tooLarge.slice(0, 50).join(", ")}; fetch again what you need of them, and keep a smaller part.`,
    );
  }
  return lines.join("\n");
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(toJsonSafe(value)) ?? "None";
  } catch {
    text = String(value);
  }
  return text.length > NOTE_PREVIEW_CHARS ? `${text.slice(0, NOTE_PREVIEW_CHARS - 1)}…` : text;
}

const SEAL_PREFIX = "cms1";
const SEAL_VERSION = 1;

/**
 * `state` as one signed string (`cms1.<base64url(v8 payload)>.<hmac>`), for a caller that
 * must hand it to someone else and take it back: only a string this secret signed is read.
 * Signed, not encrypted: it holds the variables' values.
 */
export function sealConversationState(state: ConversationState, secret: Uint8Array): string {
  const body = serialize({ version: SEAL_VERSION, state }).toString("base64url");
  const signed = `${SEAL_PREFIX}.${body}`;
  return `${signed}.${mac(secret, signed)}`;
}

function openSealed(text: string, secret: Uint8Array): unknown {
  if (!text.startsWith(`${SEAL_PREFIX}.`)) {
    throw new ConversationStateError(
      "not-state",
      "a sealed state starts with cms1. (from agent.sealState()); pass it as it was",
    );
  }
  const dot = text.lastIndexOf(".");
  const signed = text.slice(0, dot);
  const given = Buffer.from(text.slice(dot + 1), "base64url");
  const expected = Buffer.from(mac(secret, signed), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ConversationStateError(
      "tampered",
      "the sealed state's signature does not match: it was changed, or sealed with another continuations.secret",
    );
  }
  try {
    const payload = deserialize(Buffer.from(signed.slice(SEAL_PREFIX.length + 1), "base64url")) as {
      version?: unknown;
      state?: unknown;
    };
    return payload?.version === SEAL_VERSION ? payload.state : undefined;
  } catch {
    return undefined;
  }
}

function mac(secret: Uint8Array, text: string): string {
  return createHmac("sha256", secret)
    .update("codemode conversation state\n")
    .update(text)
    .digest("base64url");
}
