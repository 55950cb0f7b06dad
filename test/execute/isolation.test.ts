import { defineTool, execute, SandboxPool } from "codemode";
import { afterAll, describe, expect, it } from "vitest";
import { startedTool } from "./started.js";

const pool = new SandboxPool({ size: 2 });
afterAll(() => pool.close());

const DEEP_JSON = "x = []\nfor i in range(20000):\n  x = [x]\nimport json\nlen(json.dumps(x))";

describe("process isolation", () => {
  it("survives a native crash of the sandbox and runs the next program", async () => {
    const crashed = await execute(DEEP_JSON, { pool });
    expect(crashed.ok).toBe(false);
    if (!crashed.ok) {
      expect(crashed.error.type).toBe("SandboxCrashError");
      expect(crashed.error.message).toMatch(/SIGSEGV|SIGABRT|exited/);
    }
    const next = await execute("1 + 1", { pool });
    expect(next).toMatchObject({ ok: true, value: 2 });
    expect(pool.stats.crashes).toBeGreaterThanOrEqual(1);
  });

  it("keeps the host event loop running during a CPU-bound program", async () => {
    // The longest gap between two ticks of a 10 ms interval: a frozen event loop would show
    // one gap as long as the whole run (~1 s); a busy machine only stretches each a little.
    let last = performance.now();
    let longestGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks += 1;
    }, 10);
    const t0 = performance.now();
    const result = await execute("x = 0\nwhile True:\n  x += 1", {
      pool,
      limits: { timeoutMs: 1000 },
    });
    const ranMs = performance.now() - t0;
    clearInterval(timer);
    longestGap = Math.max(longestGap, performance.now() - last);
    expect(result).toMatchObject({ ok: false, error: { type: "TimeoutError" } });
    expect(ticks).toBeGreaterThan(5);
    expect(longestGap).toBeLessThan(ranMs / 2);
  });

  it("reports SandboxCrashError when a worker is killed mid-run, then recovers", async () => {
    const started = defineTool({
      name: "started",
      description: "Signals that the program is running.",
      execute: () => {
        // Kill every worker while the program waits for this call.
        for (const pid of pool.pids) process.kill(pid, "SIGKILL");
        return new Promise((resolve) => setTimeout(resolve, 200));
      },
    });
    const result = await execute("started()\n'unreachable'", { pool, tools: [started] });
    expect(result).toMatchObject({ ok: false, error: { type: "SandboxCrashError" } });
    const next = await execute("'alive'", { pool });
    expect(next).toMatchObject({ ok: true, value: "alive" });
  });

  it("cancels a CPU-bound run promptly with an AbortSignal", async () => {
    const controller = new AbortController();
    const started = startedTool();
    const pending = execute("started()\nwhile True:\n  pass", {
      pool,
      tools: [started.tool],
      signal: controller.signal,
      limits: { timeoutMs: 10_000 },
    });
    // Abort once the program is in its loop (it called started()).
    await started.untilStarted();
    const t0 = performance.now();
    controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ ok: false, error: { type: "CancelledError" } });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect((await execute("2", { pool })).ok).toBe(true);
  });

  it("queues more runs than workers and finishes them all", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => execute(`${i} * 2`, { pool })),
    );
    expect(results.map((r) => (r.ok ? r.value : r.error.type))).toEqual(
      Array.from({ length: 10 }, (_, i) => i * 2),
    );
  });
});
