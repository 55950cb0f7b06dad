import { describe, expect, it } from "vitest";
import {
  pythonLiteral,
  pythonTypeHint,
  pythonTypeName,
} from "../../src/tools/python/type-hints.js";

describe("pythonTypeHint", () => {
  it.each([
    [{ type: "string" }, "str"],
    [{ type: "string", format: "date-time" }, "str"],
    [{ type: "integer" }, "int"],
    [{ type: "number" }, "float"],
    [{ type: "boolean" }, "bool"],
    [{ type: "null" }, "None"],
    [{}, "Any"],
    [{ type: "array", items: { type: "string" } }, "list[str]"],
    [{ type: "array" }, "list[Any]"],
    [{ type: "object", properties: { a: { type: "string" } } }, "dict[str, Any]"],
    [{ type: "object", additionalProperties: { type: "integer" } }, "dict[str, int]"],
    [{ type: "object" }, "dict[str, Any]"],
    [{ type: "string", enum: ["a", "b"] }, 'Literal["a", "b"]'],
    [{ enum: ["a", null] }, 'Literal["a"] | None'],
    [{ const: 3 }, "Literal[3]"],
    [{ anyOf: [{ type: "string" }, { type: "integer" }] }, "str | int"],
    [{ anyOf: [{ type: "null" }, { type: "string" }] }, "str | None"],
    [{ type: ["string", "null"] }, "str | None"],
    [{ type: "integer", nullable: true }, "int | None"],
    [{ anyOf: [{ type: "string" }, {}] }, "Any"],
    [{ $ref: "#/$defs/Node" }, "Any"],
    [{ type: "array", prefixItems: [{ type: "string" }, { type: "integer" }] }, "list[str | int]"],
    [
      { type: "array", items: { type: "object", additionalProperties: {} } },
      "list[dict[str, Any]]",
    ],
  ])("%j -> %s", (schema, hint) => {
    expect(pythonTypeHint(schema)).toBe(hint);
  });
});

describe("pythonLiteral", () => {
  it("spells JS values as Python source", () => {
    expect(pythonLiteral(true)).toBe("True");
    expect(pythonLiteral(false)).toBe("False");
    expect(pythonLiteral(null)).toBe("None");
    expect(pythonLiteral(10)).toBe("10");
    expect(pythonLiteral(1.5)).toBe("1.5");
    expect(pythonLiteral('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(pythonLiteral([1, "a", null])).toBe('[1, "a", None]');
    expect(pythonLiteral({ a: [true], b: {} })).toBe('{"a": [True], "b": {}}');
  });

  it("refuses values Python source cannot spell", () => {
    expect(pythonLiteral(Number.NaN)).toBeUndefined();
    expect(pythonLiteral(() => 1)).toBeUndefined();
    expect(pythonLiteral(new Date(0))).toBeUndefined();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(pythonLiteral(cyclic)).toBeUndefined();
  });
});

describe("pythonTypeName", () => {
  it("names values as they arrive from the sandbox", () => {
    expect(pythonTypeName("x")).toBe("str");
    expect(pythonTypeName(3)).toBe("int");
    expect(pythonTypeName(3.5)).toBe("float");
    expect(pythonTypeName(10n)).toBe("int");
    expect(pythonTypeName(null)).toBe("None");
    expect(pythonTypeName([1])).toBe("list");
    expect(pythonTypeName(new Map())).toBe("dict");
    expect(pythonTypeName({ a: 1 })).toBe("dict");
  });
});
