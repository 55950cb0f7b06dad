/** The pure pieces of the durable layer: journal codec, call sequencer, tool step body. */
import { defineTool, ToolError } from "codemode";
import { describe, expect, it } from "vitest";
import { decodeJournalValue, encodeJournalValue } from "../../src/durable/journal-codec.js";
import { CallSequencer } from "../../src/durable/sequencer.js";
import { runToolStep } from "../../src/durable/tool-step.js";

describe("journal codec", () => {
  it("round-trips what a tool can hand to Python through JSON", () => {
    const value = {
      big: 2n ** 70n,
      bytes: Buffer.from([0, 1, 255]),
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      nested: [{ x: 1.5, s: "é", n: null }],
      $codemode: "a tool's own key",
    };
    const json = JSON.parse(JSON.stringify(encodeJournalValue(value)));
    const back = decodeJournalValue(json) as typeof value;
    expect(back.big).toBe(2n ** 70n);
    expect([...back.bytes]).toEqual([0, 1, 255]);
    expect(back.nan).toBeNaN();
    expect(back.inf).toBe(Number.NEGATIVE_INFINITY);
    expect(back.nested).toEqual([{ x: 1.5, s: "é", n: null }]);
    expect(back.$codemode).toBe("a tool's own key");
  });
});

describe("CallSequencer", () => {
  it("lets call n start only after every earlier call was released", async () => {
    const seq = new CallSequencer();
    const order: number[] = [];
    const started = [3, 1, 2].map((n) => seq.turn(n).then(() => order.push(n)));
    await Promise.resolve();
    expect(order).toEqual([1]);
    seq.release(2); // ended without a step (e.g. bad arguments): does not unblock 3 alone
    await Promise.resolve();
    expect(order).toEqual([1]);
    seq.release(1);
    await Promise.all(started);
    expect(order).toEqual([1, 2, 3]);
  });
});

describe("runToolStep (the body of a durable tool step)", () => {
  const flaky = (failures: number, error: () => Error) => {
    let calls = 0;
    const tool = defineTool({
      name: "flaky",
      description: "Fails a few times.",
      parameters: { type: "object", properties: {} },
      execute: () => {
        calls += 1;
        if (calls <= failures) throw error();
        return { calls, big: 2n ** 64n };
      },
    });
    return { tool, calls: () => calls };
  };

  it("retries a failing tool within the step, up to `retries` times", async () => {
    const { tool, calls } = flaky(2, () => new Error("connection reset"));
    const outcome = await runToolStep(tool, {}, 1, { retries: 2, timeoutMs: 5_000 });
    expect(outcome).toEqual({ ok: true, value: { calls: 3, big: 2n ** 64n } });
    expect(calls()).toBe(3);
    const { tool: worse } = flaky(5, () => new Error("still down"));
    expect(await runToolStep(worse, {}, 1, { retries: 1, timeoutMs: 5_000 })).toEqual({
      ok: false,
      type: "RuntimeError",
      message: "still down",
    });
  });

  it("does not retry a deliberate Python exception", async () => {
    const { tool, calls } = flaky(1, () => new ToolError("no such id", { pythonType: "KeyError" }));
    const outcome = await runToolStep(tool, {}, 1, { retries: 3, timeoutMs: 5_000 });
    expect(outcome).toEqual({ ok: false, type: "KeyError", message: "no such id" });
    expect(calls()).toBe(1);
  });

  it("turns a hung attempt into a TimeoutError outcome (which is then journaled)", async () => {
    const hung = defineTool({
      name: "hung",
      description: "Never answers.",
      parameters: { type: "object", properties: {} },
      execute: () => new Promise(() => {}),
    });
    const outcome = await runToolStep(hung, {}, 1, { retries: 0, timeoutMs: 50 });
    expect(outcome).toMatchObject({ ok: false, type: "TimeoutError" });
    expect(outcome.ok === false && outcome.message).toMatch(/hung\(\) took longer than 50 ms/);
  });
});

describe("createDurableService and approvals", () => {
  it("refuses onApproval: a durable run waits on a Restate promise instead", async () => {
    const { createDurableService } = await import("codemode/durable");
    await expect(createDurableService({ tools: [], onApproval: () => true })).rejects.toThrow(
      /takes no onApproval: a durable run waits for each approval on a Restate promise/,
    );
  });
});
