/**
 * The type check stops what is certainly wrong and nothing else (issue 20): every valid
 * program of the corpus runs through `execute({ typeCheck: true })`, and every certainly
 * wrong one is stopped before any tool runs. The corpora are in
 * `fixtures/type-check-corpus.ts`; the rates are in docs/execute.md.
 */
import { closeDefaultSandboxPool, execute, type Isolation } from "codemode";
import { afterAll, describe, expect, it } from "vitest";
import {
  corpusTools,
  VALID_PROGRAMS,
  WRONG_PROGRAMS,
  WRONG_UNSEEN,
} from "./fixtures/type-check-corpus.js";

afterAll(() => closeDefaultSandboxPool());

describe("the type-check corpora", () => {
  it("has at least 200 valid and 50 certainly wrong programs", () => {
    expect(VALID_PROGRAMS.length).toBeGreaterThanOrEqual(200);
    expect(WRONG_PROGRAMS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(VALID_PROGRAMS).size).toBe(VALID_PROGRAMS.length);
  });

  it.each([...VALID_PROGRAMS.entries()])("valid program %i runs", async (_, code) => {
    const { tools } = corpusTools();
    const result = await execute(code, { tools, typeCheck: true, isolation: "in-process" });
    if (!result.ok) {
      expect.fail(`${result.error.type}: ${result.error.message}\n--- program:\n${code}`);
    }
  });

  it.each([...WRONG_PROGRAMS.entries()])(
    "wrong program %i is stopped before any tool runs",
    async (_, code) => {
      const { tools, calls } = corpusTools();
      const result = await execute(code, { tools, typeCheck: true, isolation: "in-process" });
      expect(result.ok, code).toBe(false);
      if (result.ok) return;
      expect(result.error.type, `${code}\n=> ${result.error.message}`).toBe("TypeCheckError");
      expect(result.error.line).toBeGreaterThanOrEqual(2); // the first line is a fine call
      expect(result.toolCalls).toEqual([]);
      expect(calls).toEqual([]);
    },
  );

  it.each([...WRONG_UNSEEN.entries()])(
    "a misspelt key read through a loop variable (%i) fails at run time, naming the key",
    async (_, code) => {
      const { tools } = corpusTools();
      const result = await execute(code, { tools, typeCheck: true, isolation: "in-process" });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.type).toBe("KeyError");
    },
  );
});

// The worker process runs the same check; a sample of both corpora through the pool.
describe.each<Isolation>(["process"])("the corpora across the pool (%s)", (isolation) => {
  it("lets valid programs run and stops wrong ones", async () => {
    for (const code of VALID_PROGRAMS.filter((_, i) => i % 25 === 0)) {
      const { tools } = corpusTools();
      const result = await execute(code, { tools, typeCheck: true, isolation });
      expect(result.ok ? "ok" : `${result.error.type}: ${result.error.message}`, code).toBe("ok");
    }
    for (const code of WRONG_PROGRAMS.filter((_, i) => i % 10 === 0)) {
      const { tools, calls } = corpusTools();
      const result = await execute(code, { tools, typeCheck: true, isolation });
      expect(result.ok ? "ok" : result.error.type, code).toBe("TypeCheckError");
      expect(calls).toEqual([]);
    }
  });
});
