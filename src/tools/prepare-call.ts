/**
 * One tool call from the sandbox made ready to execute: bind Python's positional and
 * keyword arguments, then validate them. Both failures become one ToolArgumentError
 * worded like CPython's TypeError, so the executor has a single thing to catch.
 */
import { ToolArgumentError } from "../errors.js";
import { bindArguments } from "./bind-arguments.js";
import type { Tool } from "./types.js";

/**
 * The validated argument object for `tool.execute`. Throws ToolArgumentError such as
 * "fetch_data() missing 1 required argument: 'dataset'" or
 * "fetch_data() argument 'limit': expected int, got str".
 */
export async function prepareCall(
  tool: Tool,
  args: unknown,
  kwargs: unknown,
): Promise<Record<string, unknown>> {
  const bound = bindArguments(tool, args, kwargs);
  let result: Awaited<ReturnType<Tool["validate"]>>;
  try {
    result = await tool.validate(bound);
  } catch (error) {
    // Tools from elsewhere may not honour "validate never throws".
    const text = error instanceof Error ? error.message : String(error);
    throw new ToolArgumentError(`${tool.name}() arguments could not be validated: ${text}`, {
      cause: error,
    });
  }
  if (!result.ok) throw new ToolArgumentError(`${tool.name}() ${result.message}`);
  return result.value;
}
