/**
 * One sandbox interface: the in-process sandbox and the process pool answer the same
 * `run`/`typeCheck` calls alike, and `sandboxFor` is the one place isolation is chosen.
 */
import { afterAll, describe, expect, it } from "vitest";
import { resolveLimits } from "../../src/sandbox/limits.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import type { CallBatch, HostAnswer, RunRequest } from "../../src/sandbox/protocol.js";
import { inProcessSandbox, type Sandbox, sandboxFor } from "../../src/sandbox/sandbox.js";

const pool = new SandboxPool({ size: 1 });
afterAll(() => pool.close());

const request = (code: string, toolNames: string[] = []): RunRequest => ({
  code,
  inputs: {},
  limits: resolveLimits(undefined),
  toolNames,
});

const host = (printed: string[] = []) => ({
  callTools: async (batch: CallBatch): Promise<HostAnswer> =>
    batch.calls.map((call) => ({ ok: true, value: (call.args[0] as number) * 2 })),
  output: (text: string) => void printed.push(text),
});

describe.each([
  ["in-process", inProcessSandbox],
  ["process pool", pool],
] as [string, Sandbox][])("%s sandbox", (_name, sandbox) => {
  it("runs a program that calls a host tool and prints", async () => {
    const printed: string[] = [];
    const outcome = await sandbox.run(
      request("print('hi')\ndouble(21)", ["double"]),
      host(printed),
    );
    expect(outcome).toMatchObject({ ok: true, value: 42 });
    expect(printed.join("")).toBe("hi\n");
  });

  it("type-checks against a stub", async () => {
    const stub = "def double(x: int) -> int: ...\n";
    expect(await sandbox.typeCheck("double(2)", stub)).toEqual([]);
    const diagnostics = await sandbox.typeCheck('double("a")', stub);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]!.line).toBe(1);
  });

  it("reports a cancelled run with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop now");
    reason.name = "TimeoutError";
    const cancelling = {
      ...host(),
      callTools: async (): Promise<HostAnswer> => {
        controller.abort(reason);
        return [{ ok: true, value: 1 }];
      },
    };
    const outcome = await sandbox.run(
      request("for i in range(10):\n    tick()", ["tick"]),
      cancelling,
      controller.signal,
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.type).toBe("TimeoutError");
  });
});

it("sandboxFor: in-process is the in-process sandbox, else the pool (asked for only then)", () => {
  let asked = 0;
  const pick = () => {
    asked += 1;
    return pool;
  };
  expect(sandboxFor("in-process", pick)).toBe(inProcessSandbox);
  expect(asked).toBe(0);
  expect(sandboxFor("process", pick)).toBe(pool);
  expect(sandboxFor(undefined, pick)).toBe(pool);
});
