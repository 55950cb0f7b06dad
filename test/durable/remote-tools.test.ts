/**
 * Tools on another machine: the agent's worker calls `record_step` through Restate on a
 * tool-service worker, each call with the idempotency key `runId:program:seq`. Both workers
 * are SIGKILLed while the 4th call runs remotely; after restarting them each call has run
 * exactly once, on the tool service. A remote tool marked again with `durableTool` still
 * runs there.
 */
import { join } from "node:path";
import { createDurableClient, registerDeployment } from "codemode/durable";
import { describe, expect, it } from "vitest";
import { freePort, queryRestate } from "./restate-harness.js";
import { durableTestbed } from "./testbed.js";
import { lines, waitForFile } from "./worker-process.js";

const bed = durableTestbed();

describe("remote tools", () => {
  it("dispatches each tool call once to a tool service, across crashes of both workers", async () => {
    const dir = bed.tempDir("codemode-durable-remote-");
    const agentEnv = { PORT: String(await freePort()), COUNT_DIR: dir, MODE: "agent-remote" };
    const toolEnv = { PORT: String(await freePort()), COUNT_DIR: dir, MODE: "tools" };
    const agent1 = await bed.worker(agentEnv);
    const tools1 = await bed.worker({ ...toolEnv, HANG_AT: "4" });
    const agentDeployment = await registerDeployment(bed.restate.adminUrl, agent1.url);
    const toolDeployment = await registerDeployment(bed.restate.adminUrl, tools1.url);
    expect(agentDeployment.services).toEqual(["codemode"]);
    expect(toolDeployment.services).toEqual(["fixture-tools"]);

    const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
    const runId = `remote-${Date.now()}`;
    await client.submit("Record five steps", [], { runId });
    await waitForFile(join(dir, "hanging-4"));
    await Promise.all([agent1.kill(), tools1.kill()]);

    await bed.worker(agentEnv);
    const tools2 = await bed.worker(toolEnv);
    const result = await client.result(runId);
    expect(result.error).toBeNull();
    expect(result.value).toMatchObject({ total: 100 });

    // Every call ran on the tool service, once; none in the agent's worker.
    const ran = lines(join(dir, "tool-calls.log")).map((l) => l.split(" ").map(Number));
    expect(ran).toEqual([
      [0, tools1.pid],
      [1, tools1.pid],
      [2, tools1.pid],
      [3, tools2.pid],
      [4, tools2.pid],
    ]);
    expect(lines(join(dir, "llm-calls.log"))).toEqual([String(agent1.pid)]);

    const calls = await queryRestate(
      bed.restate.adminUrl,
      "SELECT idempotency_key, target_handler_name FROM sys_invocation WHERE target_service_name = 'fixture-tools' ORDER BY idempotency_key",
    );
    expect(calls.map((c) => [c.idempotency_key, c.target_handler_name])).toEqual(
      [1, 2, 3, 4, 5].map((seq) => [`${runId}:1:${seq}`, "record_step"]),
    );
  }, 90_000);

  it("still runs on the tool service after durableTool(remoteTool(t), { retries })", async () => {
    // Marking a remote tool again merges the options; before, it silently dropped the
    // remote target and the call ran (and failed) in the agent's worker.
    const countDir = bed.tempDir("codemode-durable-marked-");
    await bed.registered({ COUNT_DIR: countDir, MODE: "agent-remote", REMOTE_MARKED: "durable" });
    const { worker: tools } = await bed.registered({ COUNT_DIR: countDir, MODE: "tools" });

    const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
    const runId = `remote-marked-${Date.now()}`;
    await client.submit("Record five steps", [], { runId });
    const result = await client.result(runId);
    expect(result.error).toBeNull();
    expect(result.value).toMatchObject({ total: 100 });
    const ran = lines(join(countDir, "tool-calls.log")).map((l) => l.split(" ").map(Number));
    expect(ran).toEqual([0, 1, 2, 3, 4].map((i) => [i, tools.pid]));

    const calls = await queryRestate(
      bed.restate.adminUrl,
      `SELECT idempotency_key FROM sys_invocation WHERE target_service_name = 'fixture-tools' AND idempotency_key LIKE '${runId}:%' ORDER BY idempotency_key`,
    );
    expect(calls.map((c) => c.idempotency_key)).toEqual(
      [1, 2, 3, 4, 5].map((seq) => `${runId}:1:${seq}`),
    );
  }, 90_000);
});
