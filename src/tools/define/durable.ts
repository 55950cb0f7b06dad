import { ToolDefinitionError } from "../../errors.js";
import type { DurableToolOptions, Tool } from "../types.js";
import { freezeTool, isTool, toolParts } from "./define-tool.js";

/**
 * Marks a tool as durable: in a durable run (the Restate layer) each call is a journaled
 * step that is not repeated when the run resumes after a crash. Outside durable runs the
 * tool behaves as before; `agent.usesDurableTools()` reports the marker.
 *
 * Marking a tool that is already durable (a `remoteTool`, or an earlier `durableTool`)
 * merges the options: the new ones win key by key, the rest (and where a remote tool
 * runs) are kept.
 */
export function durableTool(tool: Tool, options: DurableToolOptions = {}): Tool {
  if (!isTool(tool)) {
    throw new ToolDefinitionError(
      "durableTool(tool) needs a tool made with defineTool (or another Tool).",
    );
  }
  checkDurableOptions(`durableTool(${tool.name})`, options);
  return freezeTool({
    ...toolParts(tool),
    // Spreading the old marker keeps everything it carries, including the remote target
    // the durable layer stores on it under a symbol key (see durable/remote-spec.ts).
    durable: Object.freeze({ ...tool.durable, ...options }),
  });
}

/**
 * Throws a ToolDefinitionError naming `where` and the option when `options` is not a valid
 * `DurableToolOptions`. Shared with `remoteTool`, whose options include these.
 */
export function checkDurableOptions(where: string, options: DurableToolOptions): void {
  if (options === null || typeof options !== "object") {
    throw new ToolDefinitionError(
      `${where}: options must be { retries?, timeoutMs?, idempotent? }.`,
    );
  }
  // `timeout` was an older duplicate of `timeoutMs`; refusing it beats silently ignoring it.
  if (Object.hasOwn(options, "timeout")) {
    throw new ToolDefinitionError(
      `${where}: the option is called timeoutMs (milliseconds one attempt may take), not timeout.`,
    );
  }
  const { retries, timeoutMs, idempotent } = options;
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
    throw new ToolDefinitionError(
      `${where}: retries must be a whole number >= 0 (got ${String(retries)}).`,
    );
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
    throw new ToolDefinitionError(
      `${where}: timeoutMs must be a positive number of milliseconds (got ${String(timeoutMs)}).`,
    );
  }
  if (idempotent !== undefined && typeof idempotent !== "boolean") {
    throw new ToolDefinitionError(
      `${where}: idempotent must be true or false (got ${String(idempotent)}).`,
    );
  }
}
