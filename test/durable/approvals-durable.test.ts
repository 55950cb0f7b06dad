/**
 * Approvals in durable runs, against a real restate-server: a call to a tool with
 * `needsApproval` waits on a workflow promise; the worker is SIGKILLed during the wait and
 * a new one replays the run to the same call; the decision comes from the client, a plain
 * HTTP POST to the ingress, or `DurableChatAgent.resume`. Every tool counts its real
 * executions in files, so "ran once" is checked across processes.
 */
import { join } from "node:path";
import {
  type AgentEvent,
  type ApprovalRequest,
  ContinuationError,
  InvalidOptionsError,
} from "codemode";
import {
  cancelInvocation,
  createDurableClient,
  DurableChatAgent,
  type DurableClient,
  DurableRunError,
} from "codemode/durable";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { queryRestate } from "./restate-harness.js";
import { durableTestbed } from "./testbed.js";
import { lines, type WorkerProcess } from "./worker-process.js";

const bed = durableTestbed();
let client: DurableClient;
let dir: string;

beforeAll(() => {
  client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
});

/** A fresh count dir and a registered fixture worker running `program` (`extra`: first worker only). */
async function worker(
  program: string,
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; w: WorkerProcess }> {
  const started = await bed.registered({ PROGRAM: program }, extra);
  dir = started.dir;
  return { env: started.env, w: started.worker };
}

/** Resolves with the run's pending approvals once there are `count` of them. */
function pendingOf(runId: string, count: number): Promise<ApprovalRequest[]> {
  return vi.waitFor(
    async () => {
      const pending = await client.pendingApprovals(runId);
      expect(pending.map((p) => p.id)).toHaveLength(count);
      return pending;
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** `[argument, pid]` of each line of a count file. */
function ran(file: string): number[][] {
  return lines(join(dir, file)).map((line) => line.split(" ").map(Number));
}

/** POST to the workflow's `approve` handler on the ingress, as curl would. */
async function postApprove(
  runId: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${bed.restate.ingressUrl}/codemode/${runId}/approve`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe("approvals in durable runs", () => {
  it("waits on a Restate promise across a SIGKILL of the worker; the approved call runs once", async () => {
    const { env, w: first } = await worker("approval");
    const runId = `approve-crash-${Date.now()}`;
    await client.submit("Refund order 7", [], { runId });

    const [request] = await pendingOf(runId, 1);
    // The key is the program's number and the call's seq: the same on every replay.
    expect(request).toMatchObject({
      id: "approval-1-2",
      seq: 2,
      tool: "refund",
      args: { order: 7 },
    });
    expect(request?.code).toContain("refund(order=order)");
    expect(ran("tool-calls.log")).toEqual([[0, first.pid]]);
    expect(ran("refund-calls.log")).toEqual([]);
    await first.kill();

    const second = await bed.worker(env);
    // The run replays on the new worker up to the same call (needsApproval asked again
    // there) and waits on the same promise; record_step(0) came from the journal.
    await vi.waitFor(() => expect(ran("approval-checks.log")).toContainEqual([7, second.pid]), {
      timeout: 30_000,
      interval: 100,
    });
    expect(await client.pendingApprovals(runId)).toEqual([request]);
    expect(ran("tool-calls.log")).toEqual([[0, first.pid]]);

    expect(await client.approve(runId, "approval-1-2", true)).toEqual({
      key: "approval-1-2",
      approved: true,
    });
    const result = await client.result(runId);
    expect(result.status).toBe("done");
    expect(result.value).toMatchObject({ total: 720, outcomes: ["refunded 7"] });
    expect(result.toolCalls.map((c) => [c.seq, c.name, c.result])).toEqual([
      [1, "record_step", 0],
      [2, "refund", 700],
      [3, "record_step", 20],
    ]);
    // Each tool ran once across both workers: the approved refund on the second one.
    expect(ran("refund-calls.log")).toEqual([[7, second.pid]]);
    expect(ran("tool-calls.log")).toEqual([
      [0, first.pid],
      [2, second.pid],
    ]);
    expect(lines(join(dir, "llm-calls.log"))).toEqual([String(first.pid)]);
    const progress = await client.progress(runId);
    expect(progress.filter((e) => e.type === "approval_decided")).toMatchObject([
      { id: "approval-1-2", tool: "refund", approved: true },
    ]);
    expect(await client.pendingApprovals(runId)).toEqual([]);

    // A second decision for the same call is refused; nothing runs again.
    const again = await client.approve(runId, "approval-1-2", false).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DurableRunError);
    expect((again as DurableRunError).status).toBe(409);
    expect((again as Error).message).toMatch(/approval-1-2 .*already decided/);
    expect(ran("refund-calls.log")).toHaveLength(1);
    await second.kill();
  }, 120_000);

  it("takes decisions over plain HTTP and from the client; a denied call raises PermissionError", async () => {
    const { w } = await worker("approval-twice");
    const runId = `approve-http-${Date.now()}`;
    await client.submit("Refund orders 7 and 8", [], { runId });
    const [first] = await pendingOf(runId, 1);
    expect(first).toMatchObject({ id: "approval-1-2", tool: "refund", args: { order: 7 } });

    // Bad bodies: a typed 400 naming what is wrong; an unknown key: 404 naming what waits.
    const bad = await postApprove(runId, { key: first?.id, approved: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Bad approval: "approved" must be true or false, got "yes".');
    expect((await postApprove(runId, { approved: true })).body.message).toMatch(
      /^Bad approval: "key" must be an approval key such as "approval-1-2"/,
    );
    const unknown = await postApprove(runId, { key: "approval-9-9", approved: true });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(
      /has no approval approval-9-9; it waits on approval-1-2 \(refund\)/,
    );
    const fromClient = await client.approve(runId, "approval-9-9", true).catch((e: unknown) => e);
    expect(fromClient).toBeInstanceOf(DurableRunError);
    expect((fromClient as DurableRunError).status).toBe(404);
    await expect(client.approve(runId, first!.id, "yes" as never)).rejects.toThrow(
      InvalidOptionsError,
    );
    await expect(client.approve(runId, "order-7", true)).rejects.toThrow(/"key" must be/);

    // Approve the first refund with curl's request; the run goes on to the second one.
    const ok = await postApprove(runId, { key: first?.id, approved: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ key: "approval-1-2", approved: true });
    await vi.waitFor(
      async () =>
        expect(await client.pendingApprovals(runId)).toMatchObject([
          { id: "approval-1-3", tool: "refund", args: { order: 8 } },
        ]),
      { timeout: 30_000, interval: 100 },
    );
    expect(ran("refund-calls.log")).toEqual([[7, w.pid]]);

    await client.approve(runId, "approval-1-3", { approved: false, reason: "over the limit" });
    const result = await client.result(runId);
    expect(result.status).toBe("done");
    expect(result.value).toMatchObject({ total: 720 });
    const outcomes = (result.value as { outcomes: string[] }).outcomes;
    expect(outcomes[0]).toBe("refunded 7");
    expect(outcomes[1]).toMatch(/^denied 8: .*over the limit/);
    expect(ran("refund-calls.log")).toEqual([[7, w.pid]]);
    expect(result.toolCalls.find((c) => c.seq === 3)).toMatchObject({
      name: "refund",
      error: { type: "PermissionError" },
    });
    await w.kill();
  }, 120_000);

  it("asks once per call of a parallel_map and runs none before both are decided", async () => {
    const { w } = await worker("approval-parallel");
    const runId = `approve-parallel-${Date.now()}`;
    await client.submit("Refund orders 7 and 8 at once", [], { runId });
    const pending = await pendingOf(runId, 2);
    expect(pending.map((p) => [p.id, p.tool, p.args])).toEqual([
      ["approval-1-1", "refund", { order: 7 }],
      ["approval-1-2", "refund", { order: 8 }],
    ]);
    // DurableChatAgent.resume follows the rule agent.resume does: every pending approval at
    // once. A partial decision is refused before anything is sent.
    await expect(
      new DurableChatAgent({ ingressUrl: bed.restate.ingressUrl }).resume(`durable:${runId}`, {
        "approval-1-2": false,
      }),
    ).rejects.toThrow(
      /resume\(\): no decision for approval approval-1-1 \(refund\(\)\): decide every pending approval/,
    );
    expect(await pendingOf(runId, 2)).toHaveLength(2);
    // The workflow's own approve handler decides one key at a time.
    await client.approve(runId, "approval-1-2", { approved: false, reason: "duplicate" });
    await pendingOf(runId, 1);
    expect(ran("refund-calls.log")).toEqual([]);
    await client.approve(runId, "approval-1-1", true);
    const result = await client.result(runId);
    expect(result.status).toBe("done");
    const outcomes = (result.value as { outcomes: unknown[] }).outcomes;
    expect(outcomes[0]).toBe(700);
    expect(outcomes[1]).toMatch(/^denied: .*duplicate/);
    expect(ran("refund-calls.log")).toEqual([[7, w.pid]]);
    await w.kill();
  }, 120_000);

  it("DurableChatAgent suspends on an approval; resume() from a new instance sends the decision and goes on", async () => {
    const { w } = await worker("approval-twice");
    const runId = `chat-approve-${Date.now()}`;
    const agent = new DurableChatAgent({
      ingressUrl: bed.restate.ingressUrl,
      runId: () => runId,
      progressIntervalMs: 100,
    });
    const events: AgentEvent[] = [];
    const first = await agent.run("Refund orders 7 and 8", [], { onEvent: (e) => events.push(e) });
    expect(first).toMatchObject({
      status: "suspended",
      continuation: `durable:${runId}`,
      pendingApprovals: [{ id: "approval-1-2", tool: "refund", args: { order: 7 }, line: 5 }],
      error: null,
    });
    expect(first.code).toContain("refund(order=order)");
    expect(events.map((e) => e.type)).toEqual([
      "generating_code",
      "code_generated",
      "executing",
      "tool_call",
      "approval_requested",
      "done",
    ]);
    expect(events.find((e) => e.type === "approval_requested")).toMatchObject({
      approvals: [{ id: "approval-1-2", seq: 2, tool: "refund", args: { order: 7 } }],
    });
    expect(ran("refund-calls.log")).toEqual([]);

    // Another instance, as in a restarted chat server: the continuation is all it keeps.
    const later = new DurableChatAgent({
      ingressUrl: bed.restate.ingressUrl,
      progressIntervalMs: 100,
    });
    const resumed: AgentEvent[] = [];
    const second = await later.resume(
      first.continuation!,
      { "approval-1-2": true },
      { onEvent: (e) => resumed.push(e) },
    );
    expect(second).toMatchObject({
      status: "suspended",
      continuation: `durable:${runId}`,
      pendingApprovals: [{ id: "approval-1-3", tool: "refund", args: { order: 8 } }],
    });
    expect(resumed.map((e) => e.type)).toEqual([
      "approval_decided",
      "tool_call",
      "approval_requested",
      "done",
    ]);
    expect(ran("refund-calls.log")).toEqual([[7, w.pid]]);

    // The first continuation's approval is decided: resuming it again is refused.
    await expect(later.resume(first.continuation!, { "approval-1-2": true })).rejects.toThrow(
      ContinuationError,
    );
    await expect(later.resume("durable:", { "approval-1-3": true })).rejects.toThrow(
      /continuation is "durable:<runId>"/,
    );
    await expect(
      later.resume(second.continuation!, { "approval-1-3": "yes" as never }),
    ).rejects.toThrow(InvalidOptionsError);

    const done: AgentEvent[] = [];
    const third = await later.resume(
      second.continuation!,
      { "approval-1-3": { approved: false, reason: "not this one" } },
      { onEvent: (e) => done.push(e) },
    );
    expect(third.status).toBe("done");
    expect(third.error).toBeNull();
    const outcomes = (third.value as { outcomes: string[] }).outcomes;
    expect(outcomes[0]).toBe("refunded 7");
    expect(outcomes[1]).toMatch(/^denied 8: .*not this one/);
    expect(done[0]).toMatchObject({
      type: "approval_decided",
      id: "approval-1-3",
      approved: false,
    });
    expect(done.filter((e) => e.type === "tool_result")).toHaveLength(4);
    expect(done.at(-1)?.type).toBe("done");
    // Each tool ran once, the model was asked once, over three calls of the chat agent.
    expect(ran("refund-calls.log")).toEqual([[7, w.pid]]);
    expect(ran("tool-calls.log").map(([i]) => i)).toEqual([0, 2]);
    expect(lines(join(dir, "llm-calls.log"))).toHaveLength(1);
    await w.kill();
  }, 120_000);

  it("a chat cancelled after resume() cancels the durable run (its invocation found by run id)", async () => {
    // record_step(2), after the approved refund, hangs.
    const { w } = await worker("approval", { HANG_AT: "3" });
    const runId = `chat-cancel-${Date.now()}`;
    const options = { ingressUrl: bed.restate.ingressUrl, adminUrl: bed.restate.adminUrl };
    const first = await new DurableChatAgent({ ...options, runId: () => runId }).run("Refund 7");
    expect(first.status).toBe("suspended");

    const controller = new AbortController();
    const resuming = new DurableChatAgent(options).resume(
      first.continuation!,
      { "approval-1-2": true },
      { signal: controller.signal },
    );
    await vi.waitFor(() => expect(lines(join(dir, "hanging-3"))).toHaveLength(1), {
      timeout: 30_000,
      interval: 50,
    });
    controller.abort();
    const result = await resuming;
    expect(result.error).toMatch(/^Cancelled: the durable run was cancelled in Restate/);
    const error = await client.result(runId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DurableRunError);
    expect((error as DurableRunError).status).toBe(409);
    expect(ran("refund-calls.log")).toEqual([[7, w.pid]]);
    await w.kill();
  }, 120_000);

  it("a run cancelled in Restate while it waits for approval ends as cancelled, the call not run", async () => {
    const { w } = await worker("approval");
    const runId = `approve-cancelled-${Date.now()}`;
    const submitted = await client.submit("Refund 7", [], { runId });
    await pendingOf(runId, 1);
    await cancelInvocation(bed.restate.adminUrl, submitted.invocationId);
    const error = await client.result(runId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DurableRunError);
    expect((error as DurableRunError).status).toBe(409);
    expect(ran("refund-calls.log")).toEqual([]);
    await w.kill();
  }, 120_000);

  it("a run that Restate suspended while it waits is replayed when the decision comes", async () => {
    const { w } = await worker("approval", { INACTIVITY_MS: "300" });
    const runId = `approve-suspended-${Date.now()}`;
    await client.submit("Refund 7", [], { runId });
    await pendingOf(runId, 1);
    await expect
      .poll(
        async () =>
          (
            await queryRestate(
              bed.restate.adminUrl,
              `SELECT status FROM sys_invocation WHERE target_service_key = '${runId}' AND target_handler_name = 'run'`,
            )
          )[0]?.status,
        { timeout: 30_000, interval: 100 },
      )
      .toBe("suspended");
    await client.approve(runId, "approval-1-2", true);
    const result = await client.result(runId);
    expect(result.value).toMatchObject({ total: 720, outcomes: ["refunded 7"] });
    // The replay asked needsApproval again and found the promise resolved; each tool ran once.
    expect(ran("approval-checks.log")).toEqual([
      [7, w.pid],
      [7, w.pid],
    ]);
    expect(ran("refund-calls.log")).toEqual([[7, w.pid]]);
    expect(ran("tool-calls.log").map(([i]) => i)).toEqual([0, 2]);
    expect(lines(join(dir, "llm-calls.log"))).toHaveLength(1);
    await w.kill();
  }, 120_000);
});
