/**
 * Tools that fail the way real services fail: they throw, they hang, they answer after the
 * run is over. Each case must end in a typed error (catchable in Python when it is the
 * tool's fault), leave no unhandled rejection behind, and leave the sandbox usable.
 */
import {
  defineTool,
  type ExecutionResult,
  execute,
  type Isolation,
  SandboxPool,
  ToolError,
} from "codemode";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { sleep, waitForExit, watchUnhandledRejections } from "./watch.js";

const unhandled = watchUnhandledRejections();
const pool = new SandboxPool({ size: 2 });
const seenPids = new Set<number>();

beforeAll(() => pool.warm());
afterAll(async () => {
  for (const pid of pool.pids) seenPids.add(pid);
  await pool.close();
  // Late answers from tools in these tests arrive within ~1 s; give them time to land.
  await sleep(300);
  unhandled.stop();
  expect(unhandled.reasons).toEqual([]);
  expect(await waitForExit(seenPids)).toEqual([]);
});

/** Generous on a loaded machine; polling returns as soon as the condition holds. */
const WAIT = { timeout: 10_000, interval: 10 };

function failure(result: ExecutionResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** A tool that never answers on its own, and reports how its signal ended. */
function hangingTool(name: string, seen: { reason?: unknown }, timeoutMs?: number) {
  return defineTool({
    name,
    description: "Never answers unless aborted.",
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    execute: (_input, { signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => {
          seen.reason = signal.reason;
          reject(signal.reason);
        });
      }),
  });
}

describe.each<Isolation>(["process", "in-process"])("tool faults (%s)", (isolation) => {
  const run = (code: string, options: Parameters<typeof execute>[1] = {}) =>
    execute(code, { isolation, pool, ...options });

  it("turns tool exceptions into Python exceptions the program can catch", async () => {
    const tools = [
      defineTool({
        name: "plain_error",
        execute: () => {
          throw new Error("database is down");
        },
      }),
      defineTool({
        name: "key_error",
        execute: () => {
          throw new ToolError("no such dataset 'x'", { pythonType: "KeyError" });
        },
      }),
      defineTool({
        name: "throws_string",
        execute: () => {
          throw "just a string";
        },
      }),
      defineTool({ name: "rejects_null", execute: () => Promise.reject(null) }),
      defineTool({
        name: "throws_later",
        execute: async () => {
          await sleep(5);
          throw new TypeError("bad shape");
        },
      }),
    ];
    const code = [
      "out = []",
      "for f in [plain_error, key_error, throws_string, rejects_null, throws_later]:",
      "  try:",
      "    f()",
      "  except Exception as e:",
      "    out.append([type(e).__name__, str(e)])",
      "out",
    ].join("\n");
    const result = await run(code, { tools });
    expect(result).toMatchObject({
      ok: true,
      value: [
        ["RuntimeError", "database is down"],
        ["KeyError", expect.stringContaining("no such dataset")],
        ["RuntimeError", "just a string"],
        ["RuntimeError", "null"],
        ["RuntimeError", "bad shape"],
      ],
    });
    expect(result.toolCalls.map((c) => c.ok)).toEqual([false, false, false, false, false]);
  });

  it("times out a hanging tool with a catchable TimeoutError and aborts its signal", async () => {
    const seen: { reason?: unknown } = {};
    const t0 = performance.now();
    const result = await run(
      "try:\n  slow()\n  r = 'no'\nexcept TimeoutError as e:\n  r = str(e)\nr + ' | went on'",
      { tools: [hangingTool("slow", seen)], limits: { toolTimeoutMs: 200 } },
    );
    expect(result.ok).toBe(true);
    const text = result.ok ? String(result.value) : "";
    expect(text).toContain("slow() did not finish within 200 ms");
    expect(text).toContain("toolTimeoutMs");
    expect(text).toContain("| went on");
    expect((seen.reason as Error | undefined)?.name).toBe("TimeoutError");
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(result.toolCalls[0]?.error?.type).toBe("TimeoutError");
  });

  it("uses the tool's own timeoutMs over the run's toolTimeoutMs", async () => {
    const seen: { reason?: unknown } = {};
    const t0 = performance.now();
    const result = await run("quick_fail()", {
      tools: [hangingTool("quick_fail", seen, 100)],
      limits: { toolTimeoutMs: 60_000, timeoutMs: 60_000 },
    });
    const error = failure(result);
    expect(error.type).toBe("TimeoutError");
    expect(error.message).toContain("quick_fail() did not finish within 100 ms");
    expect(error.message).toContain("defineTool({ timeoutMs");
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(seen.reason).toBeDefined();
  });

  it("ignores a late answer from a tool that does not honour its signal", async () => {
    let settled = 0;
    const stubborn = defineTool({
      name: "stubborn",
      timeoutMs: 100,
      execute: async () => {
        await sleep(400);
        settled += 1;
        return "too late";
      },
    });
    const stubbornFail = defineTool({
      name: "stubborn_fail",
      timeoutMs: 100,
      execute: async () => {
        await sleep(400);
        settled += 1;
        throw new Error("late failure");
      },
    });
    const result = await run(
      "a = 0\nfor f in [stubborn, stubborn_fail]:\n  try:\n    f()\n  except TimeoutError:\n    a += 1\na",
      { tools: [stubborn, stubbornFail] },
    );
    expect(result).toMatchObject({ ok: true, value: 2 });
    await vi.waitFor(() => expect(settled).toBe(2), WAIT);
    // The late answers changed nothing that was already reported.
    expect(result.toolCalls.map((c) => c.error?.type)).toEqual(["TimeoutError", "TimeoutError"]);
  });

  it("ends the run with a TimeoutError when the run's clock runs out inside a tool", async () => {
    const seen: { reason?: unknown } = {};
    const result = await run("try:\n  slow()\nexcept Exception:\n  pass\n'caught?'", {
      tools: [hangingTool("slow", seen)],
      limits: { timeoutMs: 300, toolTimeoutMs: 10_000 },
    });
    const error = failure(result);
    expect(error.type).toBe("TimeoutError");
    expect(error.message).toContain("timeoutMs");
    expect(seen.reason).toBeDefined();
  });

  it("cancels a run whose tool answers after the cancel; the answer is dropped", async () => {
    const controller = new AbortController();
    let lateAnswers = 0;
    let signalled = false;
    const lazy = defineTool({
      name: "lazy",
      execute: async (_input, { signal }) => {
        signal.addEventListener("abort", () => {
          signalled = true;
        });
        setTimeout(() => controller.abort(), 50);
        await sleep(300);
        lateAnswers += 1;
        return 42;
      },
    });
    const after: string[] = [];
    const result = await run("x = lazy()\nprint('after', x)\nx", {
      tools: [lazy],
      signal: controller.signal,
      onOutput: (text) => after.push(text),
    });
    expect(failure(result).type).toBe("CancelledError");
    await vi.waitFor(() => expect(lateAnswers).toBe(1), WAIT);
    expect(signalled).toBe(true);
    expect(after).toEqual([]);
    expect(await run("'next run'")).toMatchObject({ ok: true, value: "next run" });
  });

  it("keeps going when one parallel_map element hangs and another throws", async () => {
    const item = defineTool({
      name: "item",
      parameters: z.object({ n: z.number() }),
      timeoutMs: 150,
      execute: async ({ n }, { signal }) => {
        if (n === 1) throw new ToolError("item 1 is missing", { pythonType: "KeyError" });
        if (n === 2) {
          await new Promise((_r, reject) =>
            signal.addEventListener("abort", () => reject(signal.reason)),
          );
        }
        return n * 10;
      },
    });
    const result = await run(
      "r = parallel_map(item, range(4), return_exceptions=True)\n[type(x).__name__ if isinstance(x, Exception) else x for x in r]",
      { tools: [item] },
    );
    expect(result).toMatchObject({ ok: true, value: [0, "KeyError", "TimeoutError", 30] });
  });

  it("rejects a tool defined with a nonsensical timeoutMs", () => {
    expect(() => defineTool({ name: "t", timeoutMs: -1, execute: () => 1 })).toThrow(/timeoutMs/);
  });

  it("treats a timeoutMs past setTimeout's range as no limit, not as 1 ms", async () => {
    const result = await run("x = 0\nfor i in range(200000):\n  x += i\n[pause(), x]", {
      tools: [
        defineTool({
          name: "pause",
          execute: async () => {
            await sleep(700);
            return "paused";
          },
        }),
      ],
      limits: { timeoutMs: 2 ** 32, toolTimeoutMs: 2 ** 32 },
    });
    expect(result).toMatchObject({ ok: true, value: ["paused", 19999900000] });
  });
});
