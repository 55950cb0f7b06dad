import { describe, expect, it } from "vitest";
import { extractCode } from "../../src/agent/extract-code.js";

describe("extractCode", () => {
  it("takes the first python block, with prose around it", () => {
    expect(extractCode("Sure!\n```python\nx = 1\nx\n```\nThat computes x.")).toBe("x = 1\nx");
  });

  it("accepts py, Python and python3 tags", () => {
    expect(extractCode("```py\na\n```")).toBe("a");
    expect(extractCode("```Python\nb\n```")).toBe("b");
    expect(extractCode("```python3\nc\n```")).toBe("c");
  });

  it("prefers the first Python block over other languages and bare blocks", () => {
    const reply = "```json\n{}\n```\n```\nbare\n```\n```python\nfirst\n```\n```python\nsecond\n```";
    expect(extractCode(reply)).toBe("first");
    expect(extractCode("```json\n{}\n```\n```\nbare\n```")).toBe("bare");
  });

  it("handles CRLF line ends and an unclosed final fence", () => {
    expect(extractCode("```python\r\nx = 1\r\nx\r\n```\r\n")).toBe("x = 1\nx");
    expect(extractCode("Here:\n```python\nx = 2\nx")).toBe("x = 2\nx");
  });

  it("keeps inner backticks that are not a closing fence", () => {
    expect(extractCode('```python\ns = "```python"\ns\n```')).toBe('s = "```python"\ns');
  });

  it("falls back to the stripped reply", () => {
    expect(extractCode("  1 + 1  \n")).toBe("1 + 1");
    expect(extractCode("")).toBe("");
  });
});
