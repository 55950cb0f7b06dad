/**
 * What runs once, in durable runs on a real restate-server: a worker SIGKILLed during a
 * retry (after the rewrite replayed a completed call) or during a compensation is
 * restarted, and every effect and every compensation has run exactly once, counted by the
 * tool itself across both workers.
 */
import { join } from "node:path";
import { createDurableClient } from "codemode/durable";
import { describe, expect, it } from "vitest";
import { durableTestbed } from "./testbed.js";
import { lines, waitForFile } from "./worker-process.js";

const bed = durableTestbed();
let dir: string;

async function crashed(program: string, hang: Record<string, string>, file: string) {
  const started = await bed.registered({ PROGRAM: program }, hang);
  dir = started.dir;
  const first = started.worker;
  const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
  const runId = `${program}-${Date.now()}`;
  await client.submit("Record the steps", [], { runId });
  await waitForFile(join(dir, file));
  await first.kill();
  const second = await bed.worker(started.env);
  const result = await client.result(runId);
  return { result, first, second };
}

describe("durable runs: what runs once", () => {
  it("a worker killed during the retry: the replayed call stays replayed, each step ran once", async () => {
    // The rewrite replays record_step(0), then hangs in record_step(1) on the first worker.
    const { result, first, second } = await crashed("retry", { HANG_AT: "2" }, "hanging-2");
    expect(result.error).toBeNull();
    expect(result.value).toMatchObject({ total: 10 });
    expect(result.toolCalls.map((c) => [c.attempt, c.name, c.replayed ?? false])).toEqual([
      [1, "record_step", false],
      [2, "record_step", true],
      [2, "record_step", false],
    ]);
    const ran = lines(join(dir, "tool-calls.log")).map((l) => l.split(" ").map(Number));
    expect(ran).toEqual([
      [0, first.pid],
      [1, second.pid],
    ]);
    // Two model calls (the program and its rewrite), both by the first worker.
    expect(lines(join(dir, "llm-calls.log"))).toEqual([String(first.pid), String(first.pid)]);
    await second.kill();
  }, 90_000);

  it("a worker killed during a compensation: each compensation ran once, newest first", async () => {
    // record_step(1) is undone first (a journaled step); undoing record_step(0) hangs.
    const { result, first, second } = await crashed(
      "compensate",
      { HANG_COMPENSATE_AT: "1" },
      "hanging-compensate-1",
    );
    expect(result.status).toBe("failed");
    expect(result.compensations?.map((c) => [c.args, c.ok, c.result])).toEqual([
      [{ i: 1 }, true, "undid 1"],
      [{ i: 0 }, true, "undid 0"],
    ]);
    expect(lines(join(dir, "tool-calls.log")).map((l) => Number(l.split(" ")[0]))).toEqual([0, 1]);
    expect(lines(join(dir, "compensate-calls.log")).map((l) => l.split(" ").map(Number))).toEqual([
      [1, first.pid],
      [0, second.pid],
    ]);
    await second.kill();
  }, 90_000);
});
