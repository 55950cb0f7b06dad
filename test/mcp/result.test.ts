import { describe, expect, it } from "vitest";
import { ToolError } from "../../src/errors.js";
import { toolResultValue } from "../../src/mcp/result.js";

const text = (t: string) => ({ content: [{ type: "text", text: t }] });

describe("toolResultValue", () => {
  it("parses JSON text and leaves other text alone", () => {
    expect(toolResultValue(text('{"a": [1, 2]}'), "t")).toEqual({ a: [1, 2] });
    expect(toolResultValue(text("42"), "t")).toBe(42);
    expect(toolResultValue(text("true"), "t")).toBe(true);
    expect(toolResultValue(text("02134"), "t")).toBe("02134");
    expect(toolResultValue(text("{not json"), "t")).toBe("{not json");
    expect(toolResultValue(text("Sunny, 21 C"), "t")).toBe("Sunny, 21 C");
    expect(toolResultValue(text(""), "t")).toBe("");
  });

  it("prefers structuredContent, and gives None for no content", () => {
    const result = { ...text("ignored"), structuredContent: { ok: 1 } };
    expect(toolResultValue(result, "t")).toEqual({ ok: 1 });
    expect(toolResultValue({ content: [] }, "t")).toBeNull();
  });

  it("reads the older protocol's toolResult", () => {
    expect(toolResultValue({ toolResult: { n: 1 } }, "t")).toEqual({ n: 1 });
  });

  it("turns isError into a ToolError with the server's text", () => {
    const error = (() => {
      try {
        toolResultValue({ isError: true, ...text("quota exceeded") }, 'MCP tool "x"');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toBe('MCP tool "x" failed: quota exceeded');
    expect((error as ToolError).pythonType).toBe("RuntimeError");
    expect(() => toolResultValue({ isError: true, content: [] }, "t")).toThrow(/without a message/);
  });

  it("describes unknown content kinds instead of failing", () => {
    expect(toolResultValue({ content: [{ type: "hologram" }] }, "t")).toEqual({
      type: "hologram",
      note: "content of a kind codemode does not know; not passed to Python",
    });
  });
});
