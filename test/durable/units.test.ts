/** The pure pieces of the durable layer: the journal codec and the call sequencer. */
import { describe, expect, it } from "vitest";
import { decodeJournalValue, encodeJournalValue } from "../../src/durable/journal-codec.js";
import { CallSequencer } from "../../src/durable/sequencer.js";

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
