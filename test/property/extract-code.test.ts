/**
 * `extractCode` reads whatever a model sends back. It must never throw, always return a
 * string, and find a fenced ```python block wherever it sits among prose and other fences.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractCode } from "../../src/agent/extract-code.js";

/** Text made of the pieces that confuse fence parsing, mixed with arbitrary strings. */
const replyLike = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom(
        "```",
        "```python",
        "```py",
        "```Python3 title",
        "~~~",
        "````",
        "```js",
        "\n",
        "\r\n",
        "\r",
        "  ",
        "\t",
        "\u0000",
        "\uD800",
        "print(1)",
      ),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

const body = fc
  .array(fc.string({ unit: "grapheme-ascii", maxLength: 30 }), { minLength: 1, maxLength: 6 })
  .map((lines) => lines.join("\n"))
  .filter((text) => !/```|~~~|\r/.test(text) && text.trim() !== "");

describe("extractCode", () => {
  it("never throws and always returns a string, for any string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), replyLike), (reply) => {
        expect(typeof extractCode(reply)).toBe("string");
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws for values that are not strings either", () => {
    // Found by this property: String() throws on these.
    const hostile = [{ toString: 0 }, Object.create(null), { [Symbol.toPrimitive]: () => ({}) }];
    for (const reply of hostile) expect(extractCode(reply as unknown as string)).toBe("");
    fc.assert(
      fc.property(fc.anything(), (reply) => {
        expect(typeof extractCode(reply as string)).toBe("string");
      }),
      { numRuns: 300 },
    );
  });

  it("finds a ```python block between any prose that has no fences", () => {
    const prose = fc
      .string({ unit: "grapheme", maxLength: 60 })
      .filter((text) => !/```|~~~/.test(text));
    fc.assert(
      fc.property(prose, body, prose, fc.constantFrom("\n", "\r\n"), (before, code, after, eol) => {
        const reply = [before, "```python", code, "```", after].join("\n").replace(/\n/g, eol);
        expect(extractCode(reply)).toBe(code.trim());
      }),
      { numRuns: 500 },
    );
  });
});
