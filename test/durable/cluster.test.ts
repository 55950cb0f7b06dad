/**
 * The same guarantee on a 3-node restate cluster (replication 2) that loses a node: while a
 * run is inside its 4th of 5 tool calls, the restate node running it (the leader of its
 * partition) and the worker are SIGKILLed.
 * The worker restarts; the two remaining nodes carry the run to completion, each tool
 * call having run exactly once.
 */
import { join } from "node:path";
import { createDurableClient, registerDeployment } from "codemode/durable";
import { describe, expect, it, onTestFailed } from "vitest";
import { freePort, nodeConnectedTo, type RestateNode, waitForService } from "./restate-harness.js";
import { durableTestbed } from "./testbed.js";
import { lines, waitForFile } from "./worker-process.js";

const bed = durableTestbed({ nodes: 3 });

describe("durable run on a 3-node restate cluster", () => {
  it("completes after losing a restate node and the worker mid-run", async () => {
    onTestFailed(() => {
      // What the nodes and workers said, for a failure in CI.
      for (const node of bed.nodes) console.error(`--- ${node.name}\n${node.log().slice(-4000)}`);
      for (const w of bed.workers) console.error(`--- worker ${w.pid}\n${w.output().slice(-4000)}`);
    });
    const [n1, n2, n3] = bed.nodes as [RestateNode, RestateNode, RestateNode];
    const dir = bed.tempDir("codemode-durable-cluster-");
    const port = await freePort();
    const env = { PORT: String(port), COUNT_DIR: dir, PROGRAM: "sequential" };
    const first = await bed.worker({ ...env, HANG_AT: "4" });
    // Registered through one node, invoked through another: the cluster shares both.
    await registerDeployment(n3.adminUrl, first.url);
    for (const node of bed.nodes) await waitForService(node.ingressUrl, "codemode");
    const client = createDurableClient({ ingressUrl: n2.ingressUrl });
    const runId = `cluster-${Date.now()}`;
    await client.submit("Record five steps", [], { runId });
    await waitForFile(join(dir, "hanging-4"));
    expect(lines(join(dir, "tool-calls.log"))).toHaveLength(3);

    // Kill the node running the invocation (the leader of its partition), found by its open
    // connection to the worker; n1 (which provisioned the cluster) if that cannot be read.
    const leader = nodeConnectedTo(bed.nodes, port);
    const victim = leader ?? n1;
    console.info(`killing restate node ${victim.name}${leader ? " (running the run)" : ""}`);
    await victim.kill();
    await first.kill();
    const second = await bed.worker(env);
    const [a, b] = bed.nodes.filter((n) => n !== victim) as [typeof n1, typeof n1];

    const result = await createDurableClient({ ingressUrl: a.ingressUrl }).result(runId);
    expect(result.error).toBeNull();
    expect(result.value).toMatchObject({ total: 100 });
    const ran = lines(join(dir, "tool-calls.log")).map((l) => l.split(" ").map(Number));
    expect(ran).toEqual([
      [0, first.pid],
      [1, first.pid],
      [2, first.pid],
      [3, second.pid],
      [4, second.pid],
    ]);
    expect(lines(join(dir, "llm-calls.log"))).toEqual([String(first.pid)]);
    // The surviving nodes still take new runs.
    const more = await createDurableClient({ ingressUrl: b.ingressUrl }).run("again", [], {
      runId: `${runId}-after`,
    });
    expect(more.error).toBeNull();
    expect(lines(join(dir, "llm-calls.log"))).toHaveLength(2);
  }, 120_000);
});
