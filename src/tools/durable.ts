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
