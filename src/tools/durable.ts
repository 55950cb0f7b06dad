import { ToolDefinitionError } from "../errors.js";
import { freezeTool, isTool } from "./define-tool.js";
import type { DurableToolOptions, Tool } from "./types.js";

/**
 * Marks a tool as durable: in a durable run (the Restate layer) each call is a journaled
 * step that is not repeated when the run resumes after a crash. Outside durable runs the
 * tool behaves as before; `agent.usesDurableTools()` reports the marker.
 */
export function durableTool(tool: Tool, options: DurableToolOptions = {}): Tool {
  if (!isTool(tool)) {
    throw new ToolDefinitionError(
      "durableTool(tool) needs a tool made with defineTool (or another Tool).",
    );
  }
  checkDurableOptions(tool.name, options);
  return freezeTool({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    validate: (input) => tool.validate(input),
    execute: (input, context) => tool.execute(input, context),
    durable: Object.freeze({ ...options }),
    timeoutMs: tool.timeoutMs,
  });
}

function checkDurableOptions(name: string, options: DurableToolOptions): void {
  if (options === null || typeof options !== "object") {
    throw new ToolDefinitionError(
      `durableTool(${name}, options): options must be { retries?, timeout?, idempotent? }.`,
    );
  }
  const { retries, timeout, timeoutMs, idempotent } = options;
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
    throw new ToolDefinitionError(
      `durableTool(${name}): retries must be a whole number >= 0 (got ${String(retries)}).`,
    );
  }
  for (const [key, value] of [
    ["timeout", timeout],
    ["timeoutMs", timeoutMs],
  ] as const) {
    if (value !== undefined && !(typeof value === "number" && value > 0)) {
      throw new ToolDefinitionError(
        `durableTool(${name}): ${key} must be a positive number of milliseconds (got ${String(value)}).`,
      );
    }
  }
  if (idempotent !== undefined && typeof idempotent !== "boolean") {
    throw new ToolDefinitionError(
      `durableTool(${name}): idempotent must be true or false (got ${String(idempotent)}).`,
    );
  }
}
