/**
 * The guarantee of durable runs, against a real restate-server: a worker SIGKILLed in the
 * middle of a run that makes 5 tool calls is restarted, the run completes, each tool call
 * ran exactly once (counted by the tool itself) and the LLM was called once.
 */
import { join } from "node:path";
import type { AgentEvent } from "codemode";
import { createDurableClient, DurableChatAgent, DurableRunError } from "codemode/durable";
import { describe, expect, it } from "vitest";
import { queryRestate, sleep } from "./restate-harness.js";
import { durableTestbed } from "./testbed.js";
import { lines, waitForFile } from "./worker-process.js";

const bed = durableTestbed();

/** How many tool steps of one run have their result in Restate's own journal. */
async function journaledToolResults(runId: string): Promise<number> {
  const rows = await queryRestate(
    bed.restate.adminUrl,
    `SELECT j.entry_type AS type, j.name AS name FROM sys_journal j
     JOIN sys_invocation i ON j.id = i.id WHERE i.target_service_key = '${runId}'`,
  );
  // Each completed step is a "Notification: Run" (the result) after its "Command: Run".
  const results = rows.filter((r) => r.type === "Notification: Run").length;
  // Not tool steps: the LLM calls, and the first attempt's trace context.
  const otherSteps = rows.filter(
    (r) => r.type === "Command: Run" && (String(r.name).startsWith("llm-") || r.name === "trace"),
  );
  return results - otherSteps.length;
}

async function crashAndResume(program: "sequential" | "parallel", hangAt: number) {
  const {
    worker: first,
    env,
    dir,
  } = await bed.registered({ PROGRAM: program }, { HANG_AT: String(hangAt) });

  const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
  const runId = `crash-${program}-${Date.now()}`;
  const submitted = await client.submit("Record five steps", [], { runId });
  expect(submitted.status).toBe("Accepted");

  // The run is now inside tool call #hangAt; every other call that could finish did.
  await waitForFile(join(dir, `hanging-${hangAt}`));
  const others = program === "sequential" ? hangAt - 1 : 4;
  for (let i = 0; (await journaledToolResults(runId)) < others; i++) {
    if (i > 200) throw new Error("the completed tool calls never reached the journal");
    await sleep(50);
  }
  expect(lines(join(dir, "tool-calls.log"))).toHaveLength(others);
  await first.kill();

  const second = await bed.worker(env);
  const result = await client.result(runId);

  expect(result.error).toBeNull();
  expect(result.value).toMatchObject({ total: 100 });
  const bySeq = [...result.toolCalls].sort((a, b) => a.seq - b.seq);
  expect(bySeq.map((c) => [c.seq, c.result])).toEqual([
    [1, 0],
    [2, 10],
    [3, 20],
    [4, 30],
    [5, 40],
  ]);
  // Each step really ran once, across both workers.
  const ran = lines(join(dir, "tool-calls.log")).map((l) => l.split(" "));
  expect(ran.map(([i]) => Number(i)).sort()).toEqual([0, 1, 2, 3, 4]);
  // Calls finished before the crash ran in the first worker only; the hung call (and, in
  // the sequential program, the one after it) ran in the restarted worker.
  for (const [i, pid] of ran) {
    const afterCrash =
      Number(i) === hangAt - 1 || (program === "sequential" && Number(i) > hangAt - 1);
    expect(Number(pid)).toBe(afterCrash ? second.pid : first.pid);
  }
  // One LLM call in all: the restarted worker took the reply from the journal.
  expect(lines(join(dir, "llm-calls.log"))).toEqual([String(first.pid)]);
  // Asking again for the same run id returns the same result without running anything.
  const again = await client.run("Record five steps", [], { runId });
  expect(again.value).toEqual(result.value);
  expect(lines(join(dir, "tool-calls.log"))).toHaveLength(5);
  expect(lines(join(dir, "llm-calls.log"))).toHaveLength(1);
  await second.kill();
}

describe("durable run on one restate-server", () => {
  // Several steps in flight at once: awaited naively, the SDK fails the attempt ("awaitNext
  // already pending") and Restate retries it again and again, re-running unjournaled calls.
  it("runs a parallel_map of 5 concurrent durable calls, each once", async () => {
    const { worker, dir } = await bed.registered({ PROGRAM: "parallel", TOOL_DELAY_MS: "30" });
    const runId = `parallel-${Date.now()}`;
    const result = await createDurableClient({ ingressUrl: bed.restate.ingressUrl }).run("go", [], {
      runId,
    });
    expect(result.value).toMatchObject({ total: 100, values: [0, 10, 20, 30, 40] });
    expect(lines(join(dir, "tool-calls.log"))).toHaveLength(5);
    await worker.kill();
  }, 60_000);

  it("resumes after the worker is SIGKILLed during the 4th of 5 sequential tool calls", async () => {
    await crashAndResume("sequential", 4);
  }, 90_000);

  it("does not run an idempotent: false call again after a crash interrupted it", async () => {
    const {
      worker: first,
      env,
      dir,
    } = await bed.registered({ PROGRAM: "guarded", IDEMPOTENT: "false" }, { HANG_AT: "4" });
    const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
    const runId = `at-most-once-${Date.now()}`;
    await client.submit("Record five steps", [], { runId });
    await waitForFile(join(dir, "hanging-4"));
    await first.kill();
    const second = await bed.worker(env);

    const result = await client.result(runId);
    expect(result.error).toBeNull();
    // Call 4 (i = 3) was interrupted: Python got a RuntimeError instead of a second run.
    expect(result.value).toMatchObject({ total: 70 });
    const interrupted = (result.value as { interrupted: string[] }).interrupted;
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]).toMatch(/record_step\(\) was interrupted by a worker crash/);
    expect(lines(join(dir, "tool-calls.log")).map((l) => Number(l.split(" ")[0]))).toEqual([
      0, 1, 2, 4,
    ]);
    await second.kill();
  }, 90_000);

  it("cancels the durable run when a chat is cancelled (with an admin URL)", async () => {
    const { worker, dir } = await bed.registered({ HANG_AT: "1" });
    const runId = `cancel-${Date.now()}`;
    const agent = new DurableChatAgent({
      ingressUrl: bed.restate.ingressUrl,
      adminUrl: bed.restate.adminUrl,
      runId: () => runId,
    });
    const controller = new AbortController();
    const running = agent.run("Record five steps", [], { signal: controller.signal });
    await waitForFile(join(dir, "hanging-1"));
    controller.abort();
    const result = await running;
    expect(result.error).toMatch(/^Cancelled: the durable run was cancelled in Restate/);

    // The run ended as cancelled: no second model call, no tool call completed.
    const error = await createDurableClient({ ingressUrl: bed.restate.ingressUrl })
      .result(runId)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DurableRunError);
    expect((error as DurableRunError).status).toBe(409);
    expect(lines(join(dir, "llm-calls.log"))).toHaveLength(1);
    expect(lines(join(dir, "tool-calls.log"))).toEqual([]);
    await worker.kill();
  }, 60_000);

  it("streams a run's progress to the chat agent while it goes on, across a crash", async () => {
    const { worker: first, env, dir } = await bed.registered({}, { HANG_AT: "4" });
    const agent = new DurableChatAgent({
      ingressUrl: bed.restate.ingressUrl,
      runId: () => `progress-${Date.now()}`,
      progressIntervalMs: 100,
    });
    const events: AgentEvent[] = [];
    const running = agent.run("Record five steps", [], { onEvent: (e) => events.push(e) });
    await waitForFile(join(dir, "hanging-4"));
    // Before any result: the code and the four calls started so far.
    for (let i = 0; events.filter((e) => e.type === "tool_call").length < 4; i++) {
      if (i > 200) throw new Error(`no progress: ${JSON.stringify(events.map((e) => e.type))}`);
      await sleep(50);
    }
    expect(events.map((e) => e.type).slice(0, 3)).toEqual([
      "generating_code",
      "code_generated",
      "executing",
    ]);
    expect(events.some((e) => e.type === "done")).toBe(false);
    await first.kill();
    const second = await bed.worker(env);

    const result = await running;
    expect(result.error).toBeNull();
    const calls = events.flatMap((e) => (e.type === "tool_call" ? [e.call] : []));
    expect(calls.map((c) => [c.seq, c.name, c.args])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [i + 1, "record_step", { i }]),
    );
    expect(events.filter((e) => e.type === "tool_result")).toHaveLength(5);
    expect(events.filter((e) => e.type === "code_generated")).toHaveLength(1);
    expect(events.at(-1)?.type).toBe("done");
    expect(lines(join(dir, "llm-calls.log"))).toHaveLength(1);
    await second.kill();
  }, 90_000);

  it("resumes a worker SIGKILLed in turn 2 without repeating turn 1's tools or LLM call", async () => {
    const dir = bed.tempDir("codemode-durable-");
    const traceFile = join(dir, "spans.jsonl");
    const { worker: first, env } = await bed.registered(
      { COUNT_DIR: dir, PROGRAM: "turns", TRACE_FILE: traceFile },
      { HANG_AT: "4" },
    );
    const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
    const runId = `turns-${Date.now()}`;
    await client.submit("Record five steps in two turns", [], { runId });

    // Turn 1 made calls 1-2; turn 2 made call 3 and hangs in call 4.
    await waitForFile(join(dir, "hanging-4"));
    await expect.poll(() => journaledToolResults(runId), { timeout: 15_000, interval: 50 }).toBe(3);
    expect(lines(join(dir, "llm-calls.log"))).toEqual([String(first.pid), String(first.pid)]);
    await first.kill();

    const second = await bed.worker(env);
    const result = await client.result(runId);
    expect(result.error).toBeNull();
    expect(result.value).toMatchObject({ total: 100 });
    expect(result.turns.map((t) => t.kind)).toEqual(["look", "answer"]);
    expect(result.toolCalls.map((c) => [c.turn, c.seq])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
      [2, 3],
    ]);
    // Each call ran once across both workers; turn 1's ran in the first worker only.
    const ran = lines(join(dir, "tool-calls.log")).map((l) => l.split(" ").map(Number));
    expect(ran.map(([i]) => i).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const [i, pid] of ran) expect(pid).toBe(i! < 3 ? first.pid : second.pid);
    // Both LLM calls were journaled: the restarted worker asked the model nothing.
    expect(lines(join(dir, "llm-calls.log"))).toEqual([String(first.pid), String(first.pid)]);

    // Traces: the resumed attempt's run span carries the run id and links to the crashed
    // attempt's trace (whose finished spans, e.g. turn 1, the first worker exported).
    const spans = lines(traceFile).map(
      (l) =>
        JSON.parse(l) as {
          pid: number;
          name: string;
          traceId: string;
          links: { traceId: string }[];
          attributes: Record<string, unknown>;
        },
    );
    const crashedTrace = spans.find((s) => s.pid === first.pid && s.name === "turn 1")?.traceId;
    expect(crashedTrace).toBeDefined();
    const resumedRun = spans.find((s) => s.pid === second.pid && s.name === "durable_run codemode");
    expect(resumedRun?.attributes).toMatchObject({
      "codemode.run_id": runId,
      "codemode.durable.resumed": true,
    });
    expect(resumedRun?.traceId).not.toBe(crashedTrace);
    expect(resumedRun?.links.map((l) => l.traceId)).toEqual([crashedTrace]);
    const agentSpan = spans.find((s) => s.pid === second.pid && s.name === "invoke_agent codemode");
    expect(agentSpan?.attributes["codemode.run_id"]).toBe(runId);
    await second.kill();
  }, 90_000);

  it("shows a durable run's turns in the chat agent's events, looks included", async () => {
    const { worker } = await bed.registered({ PROGRAM: "turns" });
    const agent = new DurableChatAgent({
      ingressUrl: bed.restate.ingressUrl,
      runId: () => `turn-events-${Date.now()}`,
      progressIntervalMs: 100,
    });
    const events: AgentEvent[] = [];
    const result = await agent.run("Two turns", [], { onEvent: (e) => events.push(e) });
    expect(result.error).toBeNull();
    const turnEvents = events.flatMap((e) =>
      e.type === "turn_start" || e.type === "turn_end" ? [`${e.type}:${e.turn}`] : [],
    );
    // turn_start comes live with the progress, turn_end with the result: each turn opens
    // before it closes, whatever the polling interleaves.
    expect([...turnEvents].sort()).toEqual([
      "turn_end:1",
      "turn_end:2",
      "turn_start:1",
      "turn_start:2",
    ]);
    for (const n of [1, 2]) {
      expect(turnEvents.indexOf(`turn_start:${n}`)).toBeLessThan(
        turnEvents.indexOf(`turn_end:${n}`),
      );
    }
    const look = events.find((e) => e.type === "turn_end" && e.turn === 1);
    expect(look?.type === "turn_end" && look.record).toMatchObject({
      kind: "look",
      value: [0, 10],
    });
    expect(events.filter((e) => e.type === "tool_result")).toHaveLength(5);
    expect(events.at(-1)?.type).toBe("done");
    await worker.kill();
  }, 60_000);

  it("resumes a parallel_map of 5 calls after a SIGKILL with 4 calls done and 1 in flight", async () => {
    await crashAndResume("parallel", 3);
  }, 90_000);
});
