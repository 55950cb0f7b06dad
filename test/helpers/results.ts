/** Unwrapping an `ExecutionResult` in tests, failing with the other side's details. */
import type { ExecutionResult } from "codemode";

/** The value of a successful result; throws with the error's type and message otherwise. */
export function expectOk(result: ExecutionResult): unknown {
  if (!result.ok) {
    throw new Error(`expected success, got ${result.error.type}: ${result.error.message}`);
  }
  return result.value;
}

/** The error of a failed result; throws with the value otherwise. */
export function expectError(result: ExecutionResult) {
  if (result.ok) throw new Error(`expected failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}
