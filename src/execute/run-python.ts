/**
 * The `run_python` tool that codemode offers to another model: its description (what it is
 * for, the tools' Python signatures, the sandbox rules) and its compact result, a value a
 * model can read. One definition for both doors that offer it: `codeModeTool` (an AI SDK
 * tool) and the MCP server. Runs through `execute()` with the type check on.
 */
import { InvalidOptionsError } from "../errors.js";
import { SANDBOX_PYTHON_RULES } from "../sandbox/python-rules.js";
import { toJsonSafe } from "../sandbox/values.js";
import { programAnnotations } from "../tools/define/annotations.js";
import { LiveToolSet, type ToolSetInput } from "../tools/define/tool-set.js";
import {
  DEFAULT_TOOL_LISTING_BUDGET,
  fullListingTokens,
  toolListingSection,
} from "../tools/discovery/listing.js";
import type { ToolAnnotations } from "../tools/types.js";
import { effectsOfCalls } from "./call-policy.js";
import { execute } from "./execute.js";
import type { ExecuteOptions, ExecutionResult, SideEffect, ToolCallRecord } from "./types.js";

export interface RunPythonOptions extends Omit<ExecuteOptions, "tools" | "signal"> {
  /** The functions the Python program may call (codemode tools, functions, AI SDK tools). */
  tools: ToolSetInput;
  /** Type-check the program against the tools' stubs before it runs. Default `true`. */
  typeCheck?: boolean;
  /** Replaces the first paragraph of the description (what the tool is for). */
  description?: string;
  /** The result value's JSON is cut to a preview past this many characters. Default 20 000. */
  maxValueChars?: number;
  /** Printed output is cut past this many characters. Default 4 000. */
  maxOutputChars?: number;
  /**
   * How the description lists the functions: `"full"` (every signature, docstring and
   * TypedDict), `"compact"` (one line each; programs get `search_tools` and `describe_tool`),
   * or `"auto"` (default): compact when the full listing passes `toolListingBudget` tokens
   * (UTF-8 bytes / 4). The calling model can always run another program, so auto needs no turns.
   */
  toolListing?: "full" | "compact" | "auto";
  /** `"auto"`'s budget, in tokens (UTF-8 bytes / 4). Default `10_000`. */
  toolListingBudget?: number;
}

/** How many calls each tool got, and the first failures. */
export interface RunPythonToolCalls {
  count: number;
  byTool: Record<string, number>;
  /** Up to five failed calls (a failure the program caught still shows here). */
  failed?: { seq: number; name: string; error: { type: string; message: string } }[];
}

/** What the model gets back from `run_python`. */
export type RunPythonResult =
  | {
      ok: true;
      /** The program's last expression, JSON-safe (absent when cut to `valuePreview`). */
      value?: unknown;
      /** The start of the value's JSON when it was longer than `maxValueChars`. */
      valuePreview?: string;
      note?: string;
      output?: string;
      toolCalls: RunPythonToolCalls;
    }
  | {
      ok: false;
      /** `type` is a Python exception name, a codemode limit, or `TypeCheckError`. */
      error: { type: string; message: string; line?: number };
      output?: string;
      toolCalls: RunPythonToolCalls;
      /**
       * Calls that completed before the failure and changed things (tools not `readOnlyHint`
       * or `idempotentHint`): they happened, so a caller that tries again should not repeat them.
       */
      effects?: SideEffect[];
    };

const DEFAULT_PURPOSE =
  "Run a short Python program that calls the functions below and get its result back. " +
  "Prefer one program that makes all the calls, loops, filters and computes over many " +
  "separate tool calls. The program's last expression is its result (like a notebook " +
  "cell): end with the value you need, e.g. a dict. Printed output comes back too. The " +
  "program is type-checked first: a wrong argument or dict key is reported with its line " +
  "and no function runs.";

/** The description of the `code` argument, shared by both doors. */
export const RUN_PYTHON_CODE_DESCRIPTION =
  "The Python program. Its last expression is the result, e.g. a dict.";

export interface RunPython {
  /** The tool's description: purpose, the functions' listing, the sandbox rules. */
  readonly description: string;
  /**
   * What running a program does to the world, from the tools' annotations when the runner
   * was made: read-only when every tool is, destructive or open-world when any may be.
   */
  readonly annotations: ToolAnnotations;
  /**
   * Runs one program; resolves with the compact result (never rejects for the program's
   * errors). `onApproval` decides calls to `needsApproval` tools for this run (the door's
   * own channel to a human, e.g. MCP elicitation); without one, such a call ends the
   * program with `ApprovalRequired`.
   */
  run(
    code: unknown,
    signal?: AbortSignal,
    onApproval?: ExecuteOptions["onApproval"],
  ): Promise<RunPythonResult>;
}

/** Reads the options once (validating them) and returns the description and the runner. */
export function createRunPython(options: RunPythonOptions): RunPython {
  if (!options || typeof options !== "object" || options.tools === undefined) {
    throw new InvalidOptionsError(
      "run_python needs { tools }: the functions the program may call.",
    );
  }
  const {
    tools: toolInput,
    typeCheck = true,
    description,
    maxValueChars = 20_000,
    maxOutputChars = 4_000,
    toolListing = "auto",
    toolListingBudget = DEFAULT_TOOL_LISTING_BUDGET,
    ...executeOptions
  } = options;
  if (!["full", "compact", "auto"].includes(toolListing)) {
    throw new InvalidOptionsError(
      `toolListing must be "full", "compact" or "auto" (got ${JSON.stringify(toolListing)}).`,
    );
  }
  for (const [key, value] of Object.entries({ maxValueChars, maxOutputChars })) {
    if (!Number.isInteger(value) || value < 100) {
      throw new InvalidOptionsError(`${key} must be a whole number >= 100 (got ${value}).`);
    }
  }
  // Live: a program runs against the tools as they are (an MCP set that changed its list).
  const source = new LiveToolSet(toolInput);
  const tools = source.current();
  const listing =
    toolListing === "auto"
      ? fullListingTokens(tools) > toolListingBudget
        ? "compact"
        : "full"
      : toolListing;
  const purpose = description?.trim() || DEFAULT_PURPOSE;
  return {
    description: `${purpose}\n\n${toolListingSection(tools, listing)}\n\n${SANDBOX_PYTHON_RULES}`,
    annotations: programAnnotations(tools),
    async run(code, signal, onApproval) {
      if (typeof code !== "string") {
        return failed({ type: "TypeError", message: "code must be a string" }, "", []);
      }
      const result = await execute(code, {
        ...(listing === "compact" ? { toolDiscovery: true } : {}),
        ...executeOptions,
        tools: source.current(),
        typeCheck,
        ...(signal ? { signal } : {}),
        ...(onApproval ? { onApproval } : {}),
      });
      return compact(result, maxValueChars, maxOutputChars);
    },
  };
}

function compact(
  result: ExecutionResult,
  maxValueChars: number,
  maxOutputChars: number,
): RunPythonResult {
  const output = cut(result.output, maxOutputChars);
  if (!result.ok) return failed(result.error, output, result.toolCalls);
  const toolCalls = summarize(result.toolCalls);
  const value = toJsonSafe(result.value);
  const json = JSON.stringify(value) ?? "null";
  const rest = { ...(output ? { output } : {}), toolCalls };
  // The value first: it is what the model reads the result for.
  if (json.length <= maxValueChars) return { ok: true, value, ...rest };
  return {
    ok: true,
    valuePreview: json.slice(0, maxValueChars),
    note:
      `The result is ${json.length} characters of JSON; this is the first ${maxValueChars}. ` +
      "Return a smaller value: aggregate, slice or pick the keys you need.",
    ...rest,
  };
}

function failed(
  error: { type: string; message: string; line?: number | undefined },
  output: string,
  calls: readonly ToolCallRecord[],
): RunPythonResult {
  const effects = effectsOfCalls(calls);
  return {
    ok: false,
    error: {
      type: error.type,
      message: error.message,
      ...(error.line !== undefined ? { line: error.line } : {}),
    },
    ...(output ? { output } : {}),
    toolCalls: summarize(calls),
    ...(effects.length > 0 ? { effects } : {}),
  };
}

function summarize(calls: readonly ToolCallRecord[]): RunPythonToolCalls {
  const byTool: Record<string, number> = {};
  for (const call of calls) byTool[call.name] = (byTool[call.name] ?? 0) + 1;
  const failures = calls
    .filter((c) => !c.ok && c.error)
    .slice(0, 5)
    // The model gets what Python got: the type and the message, not the host-side stack.
    .map((c) => ({
      seq: c.seq,
      name: c.name,
      error: { type: c.error!.type, message: c.error!.message },
    }));
  return { count: calls.length, byTool, ...(failures.length > 0 ? { failed: failures } : {}) };
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[... ${text.length - max} more characters cut]`;
}
