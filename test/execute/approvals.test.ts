/**
 * Approvals at the execute() door: a program stops at a call to a tool with
 * `needsApproval`, as a snapshot, and continues from it once a human decided (inline with
 * `onApproval`, or later with `resumeExecution`). Nothing that ran before runs again.
 */
import { deserialize, serialize } from "node:v8";
import {
  type ApprovalRequest,
  defineTool,
  execute,
  type Isolation,
  resumeExecution,
  type SuspendedExecution,
} from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectSuspended } from "../helpers/results.js";

function shopTools() {
  const ran = { lookups: 0, refunds: [] as number[] };
  const lookup = defineTool({
    name: "lookup_order",
    inputSchema: z.object({ id: z.number().int() }),
    execute: ({ id }) => {
      ran.lookups += 1;
      return { id, total: id * 10 };
    },
  });
  const refund = defineTool({
    name: "refund",
    description: "Refund an order.",
    inputSchema: z.object({ id: z.number().int(), amount: z.number() }),
    // Small refunds go through; large ones need a human.
    needsApproval: ({ amount }) => amount > 50,
    execute: ({ id }) => {
      ran.refunds.push(id);
      return { refunded: id };
    },
  });
  return { ran, tools: [lookup, refund] };
}

const PROGRAM = `order = lookup_order(9)
small = refund(1, 5)
try:
    big = refund(order["id"], order["total"])
    outcome = "refunded " + str(big["refunded"])
except PermissionError as e:
    outcome = "denied: " + str(e)
[small["refunded"], outcome]`;

describe.each<Isolation>(["process", "in-process"])("approvals in execute() (%s)", (isolation) => {
  it("suspends at the call that needs approval, then resumes it approved: each tool once", async () => {
    const { ran, tools } = shopTools();
    const first = await execute(PROGRAM, { tools, isolation, typeCheck: true });
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.error.type).toBe("ApprovalRequired");
    const suspended = expectSuspended(first);
    expect(suspended.approvals).toEqual([
      expect.objectContaining({
        tool: "refund",
        args: { id: 9, amount: 90 },
        code: PROGRAM,
        seq: 3,
      }),
    ]);
    expect(ran).toEqual({ lookups: 1, refunds: [1] });

    const [approval] = suspended.approvals;
    const done = await resumeExecution(suspended, { [approval!.id]: true }, { tools, isolation });
    expect(done).toMatchObject({ ok: true, value: [1, "refunded 9"] });
    expect(ran).toEqual({ lookups: 1, refunds: [1, 9] });
    // The record spans the whole program, before and after the suspension.
    expect(done.toolCalls.map((c) => [c.seq, c.name, c.ok])).toEqual([
      [1, "lookup_order", true],
      [2, "refund", true],
      [3, "refund", true],
    ]);
  });

  it("raises PermissionError with the reason for a denied call, which the program catches", async () => {
    const { ran, tools } = shopTools();
    const suspended = expectSuspended(await execute(PROGRAM, { tools, isolation }));
    const id = suspended.approvals[0]!.id;
    const done = await resumeExecution(
      suspended,
      { [id]: { approved: false, reason: "over the refund limit" } },
      { tools, isolation },
    );
    expect(done).toMatchObject({
      ok: true,
      value: [1, "denied: refund() was not approved: over the refund limit"],
    });
    expect(ran.refunds).toEqual([1]);
    expect(done.toolCalls.at(-1)).toMatchObject({
      name: "refund",
      ok: false,
      error: { type: "PermissionError" },
    });
  });

  it("decides inline with onApproval, and the wait holds no clock", async () => {
    const { ran, tools } = shopTools();
    const asked: ApprovalRequest[] = [];
    const result = await execute(PROGRAM, {
      tools,
      isolation,
      limits: { timeoutMs: 2_000 },
      onApproval: async (request) => {
        asked.push(request);
        // A human who takes longer than the run's whole time limit.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        return true;
      },
    });
    expect(result).toMatchObject({ ok: true, value: [1, "refunded 9"] });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.code).toBe(PROGRAM);
    expect(ran).toEqual({ lookups: 1, refunds: [1, 9] });
  });

  it("asks once per call of a parallel_map, runs none of them before all are decided", async () => {
    const { ran, tools } = shopTools();
    const code =
      "ids = [1, 2, 3]\nparallel_map(refund, ids, [100, 5, 200], return_exceptions=True)";
    const suspended = expectSuspended(await execute(code, { tools, isolation }));
    expect(suspended.approvals.map((a) => a.args)).toEqual([
      { id: 1, amount: 100 },
      { id: 3, amount: 200 },
    ]);
    expect(ran.refunds).toEqual([]);
    const [one, three] = suspended.approvals;
    const done = await resumeExecution(
      suspended,
      { [one!.id]: true, [three!.id]: false },
      { tools, isolation },
    );
    expect(done.ok).toBe(true);
    if (!done.ok) return;
    const [a, b, c] = done.value as unknown[];
    expect([a, b]).toEqual([{ refunded: 1 }, { refunded: 2 }]);
    expect(c).toEqual({
      error: { type: "PermissionError", message: "refund() was not approved" },
    });
    expect(ran.refunds.sort()).toEqual([1, 2]);
  });

  it("resumes in a fresh process from a serialized suspension, keeping printed output and variables", async () => {
    const { ran, tools } = shopTools();
    const code =
      'print("before")\nrows = [lookup_order(2)]\nr = refund(2, 99)\nprint("after")\nlen(rows)';
    const first = await execute(code, { tools, isolation, keepState: true });
    // The program calls refund on one line only: the request names it.
    expect(expectSuspended(first).approvals[0]).toMatchObject({ tool: "refund", line: 3 });
    const bytes = serialize(expectSuspended(first));
    // Another process would deserialize what it stored; the snapshot is plain data.
    const restored = deserialize(bytes) as SuspendedExecution;
    const id = restored.approvals[0]!.id;
    const done = await resumeExecution(restored, { [id]: true }, { tools, isolation });
    expect(done).toMatchObject({ ok: true, value: 1, output: "before\nafter\n" });
    if (done.ok) expect(Object.keys(done.state!.variables).sort()).toEqual(["r", "rows"]);
    expect(ran).toEqual({ lookups: 1, refunds: [2] });
  });

  it("refuses a resume without every decision, or with other tools", async () => {
    const { tools } = shopTools();
    const suspended = expectSuspended(await execute(PROGRAM, { tools, isolation }));
    await expect(resumeExecution(suspended, {}, { tools, isolation })).rejects.toThrow(
      /no decision for approval .* \(refund\(\)\)/i,
    );
    const id = suspended.approvals[0]!.id;
    await expect(
      resumeExecution(suspended, { [id]: true }, { tools: tools.slice(0, 1), isolation }),
    ).rejects.toThrow(/needs the tools the program started with/);
  });

  it("a cancelled wait ends the run as CancelledError, the call not run", async () => {
    const { ran, tools } = shopTools();
    const controller = new AbortController();
    const pending = execute(PROGRAM, {
      tools,
      isolation,
      signal: controller.signal,
      onApproval: () => {
        controller.abort();
        return new Promise(() => {});
      },
    });
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.type).toBe("CancelledError");
    expect(ran.refunds).toEqual([1]);
  });
});
