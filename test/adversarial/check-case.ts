/**
 * Runs one corpus case and checks the promises every hostile program is held to: it ends
 * within its limits with the expected typed error (or value), and the next run works.
 */
import {
  type ExecuteOptions,
  execute,
  type Isolation,
  type SandboxPool,
  type Tool,
} from "codemode";
import { expect } from "vitest";
import type { AdversarialCase } from "./corpus.js";

/** Scheduling slack on a busy two-core machine; the limits themselves are much shorter. */
const SLACK_MS = 8000;
const DEFAULT_TIMEOUT_MS = 30_000;

export interface CaseContext {
  isolation: Isolation;
  pool: SandboxPool;
  tools: Tool[];
}

export async function checkCase(c: AdversarialCase, ctx: CaseContext): Promise<void> {
  const options: ExecuteOptions = {
    isolation: ctx.isolation,
    pool: ctx.pool,
    tools: ctx.tools,
    ...(c.limits ? { limits: c.limits } : {}),
    ...(c.inputs ? { inputs: c.inputs } : {}),
  };
  const expected = c.expect;
  const t0 = performance.now();
  if ("throws" in expected) {
    await expect(execute(c.code, options)).rejects.toMatchObject({ name: expected.throws });
  } else {
    const result = await execute(c.code, options);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan((c.limits?.timeoutMs ?? DEFAULT_TIMEOUT_MS) + SLACK_MS);
    if ("ok" in expected) {
      if (!result.ok) {
        throw new Error(`expected a value, got ${result.error.type}: ${result.error.message}`);
      }
      if ("value" in expected) expect(result.value).toEqual(expected.value);
      expected.check?.(result.value, result.output);
    } else {
      if (result.ok) {
        throw new Error(
          `expected ${String(expected.errorType)}, got ${JSON.stringify(result.value)}`,
        );
      }
      const types =
        typeof expected.errorType === "string" ? [expected.errorType] : expected.errorType;
      expect(types, result.error.message).toContain(result.error.type);
      if (expected.message) expect(result.error.message).toMatch(expected.message);
    }
  }
  // The sandbox is still usable, with the same pool and tools.
  const next = await execute("noop()\n1 + 1", {
    isolation: ctx.isolation,
    pool: ctx.pool,
    tools: ctx.tools,
  });
  expect(next).toMatchObject({ ok: true, value: 2 });
}
