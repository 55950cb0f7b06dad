/** Unwrapping an `ExecutionResult` or a thrown error in tests, failing with the other side's details. */
import type { ExecutionResult, SuspendedExecution } from "codemode";
import { expect } from "vitest";

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

/** The suspended run of a result that stopped for approvals; throws with the result otherwise. */
export function expectSuspended(result: ExecutionResult): SuspendedExecution {
  if (result.ok || !result.suspended) {
    throw new Error(`expected a suspension: ${JSON.stringify(result)}`);
  }
  return result.suspended;
}

/** The error `run` throws, checked to be a `type`; fails the test when `run` returns. */
export function thrownBy<E extends Error>(
  run: () => unknown,
  type: abstract new (...args: never[]) => E,
): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}`);
}
