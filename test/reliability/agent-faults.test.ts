/**
 * The agent around faults in what it is given: a custom callLlm that ignores cancellation,
 * answers nonsense or throws things that are not errors; a stream consumer that walks
 * away; programs that crash the sandbox on every attempt. `run` must resolve (never
 * reject) with `error` set, stop when told to, and leave nothing running behind it.
 */
import { type AgentEvent, type CallLlm, CodeModeAgent, defineTool, SandboxPool } from "codemode";
import { afterAll, describe, expect, it, vi } from "vitest";
import { sleep, waitForExit, watchUnhandledRejections } from "./watch.js";

const unhandled = watchUnhandledRejections();
const pool = new SandboxPool({ size: 2 });
afterAll(async () => {
  const pids = pool.pids;
  await pool.close();
  await sleep(200);
  unhandled.stop();
  expect(unhandled.reasons).toEqual([]);
  expect(await waitForExit(pids)).toEqual([]);
});

const fence = (code: string) => `\`\`\`python\n${code}\n\`\`\``;

describe("agent faults", () => {
  it("stops a run whose callLlm ignores the abort signal, and drops its late answer", async () => {
    let settled = 0;
    const deaf: CallLlm = async () => {
      await sleep(1500);
      settled += 1;
      return fence("'too late'");
    };
    const agent = new CodeModeAgent({ tools: [], callLlm: deaf, pool });
    const result = await agent.run("go", [], { signal: AbortSignal.timeout(100) });
    // The run ended before the model answered, rather than waiting for it.
    expect(settled).toBe(0);
    expect(result.error).toMatch(/Code generation failed/);
    expect(result.value).toBeNull();
    // The late answer still arrives (and is dropped: no unhandled rejection, see afterAll).
    await vi.waitFor(() => expect(settled).toBe(1), { timeout: 15_000, interval: 20 });
  });

  it("resolves with an error for replies that are not text, and for non-Error throws", async () => {
    const weird: unknown[] = [undefined, 42, { text: 5 }, { usage: {} }, null];
    for (const reply of weird) {
      const agent = new CodeModeAgent({
        tools: [],
        callLlm: (async () => reply) as unknown as CallLlm,
        pool,
      });
      const result = await agent.run("go");
      expect(result.error, JSON.stringify(reply)).toMatch(/callLlm must resolve to a string/);
    }
    const thrown: unknown[] = ["a string", null, { toString: 0 }, Object.create(null)];
    for (const value of thrown) {
      const agent = new CodeModeAgent({
        tools: [],
        callLlm: async () => {
          throw value;
        },
        pool,
      });
      const result = await agent.run("go");
      expect(result.error).toMatch(/^Code generation failed: /);
    }
  });

  it("cancels the run behind a stream whose consumer stops reading", async () => {
    let toolStarted = 0;
    let toolAborted = 0;
    const slow = defineTool({
      name: "slow",
      execute: async (_input, { signal }) => {
        toolStarted += 1;
        await new Promise<void>((resolve) => {
          signal.addEventListener("abort", () => {
            toolAborted += 1;
            resolve();
          });
          setTimeout(resolve, 5000);
        });
        return 1;
      },
    });
    const agent = new CodeModeAgent({
      tools: [slow],
      callLlm: async () => fence("slow()\nslow()\n'done'"),
      pool,
      typeCheck: false,
    });
    const seen: AgentEvent["type"][] = [];
    for await (const event of agent.stream("go")) {
      seen.push(event.type);
      if (event.type === "tool_call") break;
    }
    await vi.waitFor(() => expect(toolAborted).toBe(1), { timeout: 10_000, interval: 10 });
    expect(seen).toContain("tool_call");
    expect(toolStarted).toBe(1);
  });

  it("gives up after its attempts when every program crashes the sandbox; the pool still works", async () => {
    const crash = "import json\nx = []\nfor i in range(20000):\n  x = [x]\njson.dumps(x)";
    let calls = 0;
    const agent = new CodeModeAgent({
      tools: [],
      callLlm: async () => {
        calls += 1;
        return fence(crash);
      },
      pool,
      maxRetries: 2,
      typeCheck: false,
    });
    const result = await agent.run("go");
    expect(calls).toBe(3);
    expect(result.attempts).toBe(3);
    expect(result.executionError?.type).toBe("SandboxCrashError");
    const fine = new CodeModeAgent({ tools: [], callLlm: async () => fence("6 * 7"), pool });
    expect((await fine.run("go")).value).toBe(42);
  });
});
