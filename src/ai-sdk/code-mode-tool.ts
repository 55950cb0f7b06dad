/**
 * Code mode as one AI SDK tool. An existing `generateText` / `streamText` loop adds
 * `run_python: codeModeTool({ tools })` and the model can hand multi-tool work (many calls,
 * loops, filtering, arithmetic) to one sandboxed Python program instead of a long chain of
 * single tool calls. The description carries the tools' Python signatures, TypedDicts and
 * the sandbox rules; the result is compact JSON a model can read (see `execute/run-python`).
 */
import { type Tool as AiTool, tool } from "ai";
import { z } from "zod";
import { InvalidOptionsError } from "../errors.js";
import {
  createRunPython,
  RUN_PYTHON_CODE_DESCRIPTION,
  type RunPythonOptions,
  type RunPythonResult,
} from "../execute/run-python.js";

export type { RunPythonResult, RunPythonToolCalls } from "../execute/run-python.js";

/** Every option of `execute()` except `tools`/`signal`, plus the description and result caps. */
export type CodeModeToolOptions = RunPythonOptions;

/**
 * An AI SDK tool (`{ code: string }` in, `RunPythonResult` out) that runs Python against
 * `tools` in the Monty sandbox. Put it in a ToolSet as `run_python`. Honours the call's
 * `abortSignal`: the program and its in-flight tool calls stop, and the tool call rejects.
 */
export function codeModeTool(
  options: CodeModeToolOptions,
): AiTool<{ code: string }, RunPythonResult> {
  if (!options || typeof options !== "object" || options.tools === undefined) {
    throw new InvalidOptionsError("codeModeTool({ tools }) needs the tools the program may call.");
  }
  const runPython = createRunPython(options);
  return tool({
    description: runPython.description,
    inputSchema: z.object({ code: z.string().describe(RUN_PYTHON_CODE_DESCRIPTION) }),
    execute: async ({ code }, { abortSignal }): Promise<RunPythonResult> => {
      const result = await runPython.run(code, abortSignal);
      throwIfAborted(abortSignal);
      return result;
    },
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  throw reason instanceof Error ? reason : new DOMException("The run was aborted.", "AbortError");
}
