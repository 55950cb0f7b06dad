/**
 * One tool call from the sandbox made ready to execute: bind Python's positional and
 * keyword arguments to the tool's parameters, then validate them. The executor's one
 * bind-and-validate step (both isolation modes go through it). A failure is returned,
 * not thrown, so the hot path needs no try/catch per call; it is worded like CPython's
 * TypeError and becomes one in the program, which can catch it.
 */
import { errorText } from "../../error-text.js";
import type { Tool } from "../types.js";
import { bindArguments } from "./bind-arguments.js";

export type PreparedCall =
  /** `value` is what `tool.execute` receives (defaults applied); `bound` is keyed by parameter. */
  | { ok: true; bound: Record<string, unknown>; value: Record<string, unknown> }
  /**
   * `bound` is absent when binding failed (the raw call is all there is to show).
   * `message` names the tool: "fetch_data() missing 1 required argument: 'dataset'".
   */
  | { ok: false; bound?: Record<string, unknown>; message: string };

/**
 * Binds and validates one call. Synchronous when the tool's validator is (most are), so
 * the dispatcher skips an await; a validator that throws or rejects is reported like a
 * failed validation, since tools from elsewhere may not honour "validate never throws".
 */
export function prepareCall(
  tool: Pick<Tool, "name" | "parameters" | "validate">,
  args: unknown,
  kwargs: unknown,
): PreparedCall | Promise<PreparedCall> {
  let bound: Record<string, unknown>;
  try {
    bound = bindArguments(tool, args, kwargs);
  } catch (error) {
    return { ok: false, message: errorText(error) };
  }
  let pending: ReturnType<Tool["validate"]>;
  try {
    pending = tool.validate(bound);
  } catch (error) {
    return validatorFailed(tool.name, bound, error);
  }
  if (pending instanceof Promise) {
    return pending.then(
      (validation) => validated(tool.name, bound, validation),
      (error: unknown) => validatorFailed(tool.name, bound, error),
    );
  }
  return validated(tool.name, bound, pending);
}

function validated(
  name: string,
  bound: Record<string, unknown>,
  validation: Awaited<ReturnType<Tool["validate"]>>,
): PreparedCall {
  if (validation.ok) return { ok: true, bound, value: validation.value };
  return { ok: false, bound, message: `${name}(): ${validation.message}` };
}

function validatorFailed(
  name: string,
  bound: Record<string, unknown>,
  error: unknown,
): PreparedCall {
  return {
    ok: false,
    bound,
    message: `${name}() arguments could not be validated: ${errorText(error)}`,
  };
}
