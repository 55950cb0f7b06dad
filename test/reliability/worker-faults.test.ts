/**
 * Sandbox worker processes that die or freeze under a run: killed with SIGKILL while
 * computing, while idle, while many runs queue; stopped with SIGSTOP; crashed natively
 * again and again. Each run ends with a typed error, the pool replaces the worker, the
 * next run works, and no worker process outlives the pool.
 */
import { existsSync, readFileSync } from "node:fs";
import { defineTool, type ExecutionResult, execute, SandboxPool } from "codemode";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { startedTool } from "../execute/started.js";
import { isAlive, sleep, waitForExit, watchUnhandledRejections } from "./watch.js";

const unhandled = watchUnhandledRejections();
const pools: SandboxPool[] = [];
const seenPids = new Set<number>();

function newPool(size = 2): SandboxPool {
  const pool = new SandboxPool({ size, killGraceMs: 200 });
  pools.push(pool);
  return pool;
}
const remember = (pool: SandboxPool) => {
  for (const pid of pool.pids) seenPids.add(pid);
};

afterEach(() => {
  for (const pool of pools) remember(pool);
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  unhandled.stop();
  expect(unhandled.reasons).toEqual([]);
  expect(await waitForExit(seenPids)).toEqual([]);
});

function errorType(result: ExecutionResult): string {
  return result.ok ? "ok" : result.error.type;
}

/** Generous on a loaded machine; polling returns as soon as the condition holds. */
const WAIT = { timeout: 10_000, interval: 10 };

/**
 * Starts `while True: pass` in a one-worker pool and resolves once the program runs (it
 * has called `started()`), with the busy worker's pid.
 */
async function busyLoop(pool: SandboxPool, timeoutMs: number) {
  const started = startedTool();
  const running = execute("started()\nwhile True:\n  pass", {
    pool,
    tools: [started.tool],
    limits: { timeoutMs },
  });
  await started.untilStarted();
  const [pid] = pool.pids;
  if (pid === undefined) throw new Error("no worker");
  return { running, pid };
}

describe("sandbox worker faults", () => {
  it("SIGKILL while computing: SandboxCrashError, then a fresh worker runs the next program", async () => {
    const pool = newPool(1);
    await pool.warm();
    const { running, pid } = await busyLoop(pool, 20_000);
    process.kill(pid, "SIGKILL");
    const result = await running;
    expect(errorType(result)).toBe("SandboxCrashError");
    expect(result.ok ? "" : result.error.message).toContain("SIGKILL");
    expect(pool.stats.crashes).toBe(1);
    expect(await execute("'fresh'", { pool })).toMatchObject({ ok: true, value: "fresh" });
    expect(pool.pids).not.toContain(pid);
    expect(isAlive(pid)).toBe(false);
  });

  it("SIGKILL of an idle worker: the next run gets another one", async () => {
    const pool = newPool(1);
    await pool.warm();
    const [pid] = pool.pids;
    process.kill(pid!, "SIGKILL");
    await waitForExit([pid!]);
    expect(await execute("6 * 7", { pool })).toMatchObject({ ok: true, value: 42 });
    expect(pool.pids).toHaveLength(1);
    expect(pool.pids).not.toContain(pid);
  });

  it("SIGSTOP (a frozen worker): the run times out, the worker is killed and replaced", async () => {
    const pool = newPool(1);
    await pool.warm();
    const { running, pid } = await busyLoop(pool, 400);
    process.kill(pid, "SIGSTOP");
    const t0 = performance.now();
    const result = await running;
    expect(errorType(result)).toBe("TimeoutError");
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(await waitForExit([pid])).toEqual([]);
    expect(await execute("'thawed'", { pool })).toMatchObject({ ok: true, value: "thawed" });
  });

  it("every worker killed while runs queue: each run ends, none hangs, the queue drains", async () => {
    const pool = newPool(2);
    await pool.warm();
    let calls = 0;
    const slow = defineTool({
      name: "slow",
      execute: () => {
        calls += 1;
        return sleep(150).then(() => "done");
      },
    });
    const runs = Array.from({ length: 8 }, (_, i) =>
      execute(`slow()\n${i}`, { pool, tools: [slow] }),
    );
    // Both workers are inside a run, the other six runs queue.
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(2), WAIT);
    const victims = pool.pids;
    for (const pid of victims) process.kill(pid, "SIGKILL");
    const results = await Promise.all(runs);
    const types = results.map(errorType);
    expect(types.filter((t) => t === "SandboxCrashError").length).toBeGreaterThanOrEqual(1);
    expect(types.every((t) => t === "ok" || t === "SandboxCrashError")).toBe(true);
    expect(types.filter((t) => t === "ok").length).toBeGreaterThanOrEqual(4);
    expect(await waitForExit(victims)).toEqual([]);
    expect(pool.pids.length).toBeLessThanOrEqual(2);
  });

  it("four native crashes in a row: all typed, the pool stays at size, no process leaks", async () => {
    const pool = newPool(2);
    const crash = "import json\nx = []\nfor i in range(20000):\n  x = [x]\njson.dumps(x)";
    const pids = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const result = await execute(crash, { pool });
      expect(errorType(result)).toBe("SandboxCrashError");
      for (const pid of pool.pids) pids.add(pid);
    }
    expect(pool.stats.crashes).toBe(4);
    expect(await execute("'still here'", { pool })).toMatchObject({ ok: true });
    expect(pool.pids.length).toBeLessThanOrEqual(2);
    const current = new Set(pool.pids);
    expect(await waitForExit([...pids].filter((p) => !current.has(p)))).toEqual([]);
  });

  it("closing the pool mid-run ends the run with SandboxError and later runs too", async () => {
    const pool = newPool(1);
    await pool.warm();
    const { running } = await busyLoop(pool, 20_000);
    const pids = pool.pids;
    await pool.close();
    expect(errorType(await running)).toBe("SandboxError");
    expect(errorType(await execute("1", { pool }))).toBe("SandboxError");
    expect(await waitForExit(pids)).toEqual([]);
  });

  it("a worker killed during a type check: the check resolves, the pool recovers", async () => {
    const pool = newPool(1);
    await pool.warm();
    const [pid] = pool.pids;
    const checking = pool.typeCheck("x: int = 'a'\n".repeat(200), "");
    process.kill(pid!, "SIGKILL");
    expect(Array.isArray(await checking)).toBe(true);
    expect(await execute("'ok'", { pool })).toMatchObject({ ok: true });
  });

  it.skipIf(!existsSync("/proc/self/environ"))(
    "starts workers without the host's secrets in their environment",
    async () => {
      process.env.CODEMODE_TEST_API_KEY = "sk-should-not-leak";
      try {
        const pool = newPool(1);
        await pool.warm();
        const environ = readFileSync(`/proc/${pool.pids[0]}/environ`, "utf8").split("\0");
        expect(environ.some((entry) => entry.includes("sk-should-not-leak"))).toBe(false);
        expect(environ.some((entry) => entry.startsWith("PATH="))).toBe(true);
        expect(await execute("'still works'", { pool })).toMatchObject({ ok: true });

        // Callers who want the old behaviour pass the environment themselves.
        const custom = new SandboxPool({ size: 1, env: { ...process.env } });
        pools.push(custom);
        await custom.warm();
        const full = readFileSync(`/proc/${custom.pids[0]}/environ`, "utf8");
        expect(full).toContain("sk-should-not-leak");
      } finally {
        delete process.env.CODEMODE_TEST_API_KEY;
      }
    },
  );
});
