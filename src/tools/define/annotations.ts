/**
 * What a tool's calls do to the world, in the Model Context Protocol's words
 * (`readOnlyHint`, `idempotentHint`, `destructiveHint`, `openWorldHint`, `title`). A tool
 * without them is treated as MCP's defaults say: it may change things, so a completed call
 * is recorded in the run's journal and never silently repeated by a retry.
 */
import { ToolDefinitionError } from "../../errors.js";
import { isPlainObject } from "../../plain-object.js";
import type { Tool, ToolAnnotations } from "../types.js";

const HINTS = ["readOnlyHint", "idempotentHint", "destructiveHint", "openWorldHint"] as const;
const KEYS: readonly string[] = [...HINTS, "title"];
const EXAMPLE = "{ readOnlyHint: true } or { idempotentHint: true, destructiveHint: false }";

/**
 * `annotations` as given to `defineTool` / `fromAiSdkTool`, checked and frozen. Throws
 * ToolDefinitionError naming the key and what to write for anything else: an unknown key (a
 * misspelt hint would silently mean "has side effects"), a hint that is not a boolean, a
 * title that is not a string.
 */
export function checkAnnotations(value: unknown, label: string): ToolAnnotations | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw new ToolDefinitionError(
      `${label}: annotations must be an object such as ${EXAMPLE} (got ${describe(value)}).`,
    );
  }
  for (const key of Object.keys(value)) {
    if (KEYS.includes(key)) continue;
    // `readonlyHint`, `read_only_hint`, `idempotent`: the hint meant.
    const loose = key.toLowerCase().replace(/_/g, "");
    const near = KEYS.find((k) => [loose, `${loose}hint`].includes(k.toLowerCase()));
    const hint = near ? `did you mean ${near}?` : `use ${KEYS.join(", ")}`;
    throw new ToolDefinitionError(
      `${label}: annotations has no "${key}" (${hint}). Write ${EXAMPLE}.`,
    );
  }
  const out: ToolAnnotations = {};
  for (const key of HINTS) {
    const hint = value[key];
    if (hint === undefined) continue;
    if (typeof hint !== "boolean") {
      throw new ToolDefinitionError(
        `${label}: annotations.${key} must be true or false (got ${describe(hint)}).`,
      );
    }
    out[key] = hint;
  }
  if (value.title !== undefined) {
    if (typeof value.title !== "string") {
      throw new ToolDefinitionError(
        `${label}: annotations.title must be a string (got ${describe(value.title)}).`,
      );
    }
    out.title = value.title;
  }
  return Object.freeze(out);
}

/**
 * The annotations an MCP server listed for a tool, keeping only well-formed fields: a
 * server's odd value must not cost the user the tool, and a dropped hint falls back to the
 * safe default (side effects).
 */
export function listedAnnotations(value: unknown): ToolAnnotations | undefined {
  if (!isPlainObject(value)) return undefined;
  const out: ToolAnnotations = {};
  for (const key of HINTS) if (typeof value[key] === "boolean") out[key] = value[key];
  if (typeof value.title === "string") out.title = value.title;
  return Object.keys(out).length > 0 ? Object.freeze(out) : undefined;
}

/**
 * True unless the tool says running it again is harmless (`readOnlyHint` or
 * `idempotentHint`): the calls the run's journal records and a retry replays.
 */
export function hasSideEffects(tool: Pick<Tool, "annotations">): boolean {
  const a = tool.annotations;
  return !(a?.readOnlyHint === true || a?.idempotentHint === true);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  return typeof value;
}

/**
 * The annotations of a tool that runs programs against `tools` (`run_python`, `ask`): it
 * is read-only when every tool is, harmless to repeat when every tool is, destructive or
 * open-world when any tool may be (a tool without hints counts as both, MCP's defaults).
 */
export function programAnnotations(
  tools: readonly Pick<Tool, "annotations">[],
): Required<Omit<ToolAnnotations, "title">> {
  const readOnly = tools.every((t) => t.annotations?.readOnlyHint === true);
  return {
    readOnlyHint: readOnly,
    idempotentHint: tools.every((t) => !hasSideEffects(t)),
    destructiveHint: tools.some(
      (t) => t.annotations?.readOnlyHint !== true && t.annotations?.destructiveHint !== false,
    ),
    openWorldHint: tools.some((t) => t.annotations?.openWorldHint !== false),
  };
}
