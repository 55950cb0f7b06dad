import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolDefinitionError } from "../../src/errors.js";
import { bindArguments } from "../../src/tools/call/bind-arguments.js";
import { defineTool } from "../../src/tools/define/define-tool.js";
import { normalizeTools, toolMap } from "../../src/tools/define/tool-set.js";
import { pythonSignature } from "../../src/tools/python/signature.js";
import type { ToolContext } from "../../src/tools/types.js";

const context: ToolContext = { signal: new AbortController().signal, callSeq: 1 };

const lookup = defineTool({
  name: "lookup",
  description: "Look a key up.",
  parameters: z.object({ key: z.string() }),
  execute: ({ key }) => `value of ${key}`,
});

function square(x: number) {
  return x * x;
}

describe("normalizeTools", () => {
  it("names array entries by tool name and function name", () => {
    const tools = normalizeTools([lookup, square]);
    expect(tools.map((t) => t.name)).toEqual(["lookup", "square"]);
    expect(Object.isFrozen(tools)).toBe(true);
  });

  it("names record entries by their key, keeping the tool's behaviour", async () => {
    const tools = normalizeTools({ get_value: lookup, sq: square });
    const [renamed, sq] = tools;
    expect(renamed?.name).toBe("get_value");
    expect(renamed?.description).toBe("Look a key up.");
    expect(pythonSignature(renamed!)).toBe("get_value(key: str) -> Any");
    const args = bindArguments(renamed!, ["k"], {});
    const checked = await renamed!.validate(args);
    expect(checked.ok && (await renamed!.execute(checked.value, context))).toBe("value of k");
    expect(sq?.name).toBe("sq");
    expect(await sq!.execute({ x: 3 }, context)).toBe(9);
    // The original keeps its name.
    expect(lookup.name).toBe("lookup");
  });

  it("rejects two tools with one name", () => {
    const run = () => normalizeTools([lookup, { ...lookup }]);
    expect(run).toThrow(ToolDefinitionError);
    expect(run).toThrow(/^Duplicate tool name: lookup(\.|$)/);
  });

  it("rejects record keys that are not Python identifiers", () => {
    expect(() => normalizeTools({ "get-value": lookup })).toThrow(/try "get_value"/);
  });

  it("rejects values that are not tools or functions", () => {
    expect(() => normalizeTools([lookup, 42 as never])).toThrow(/tools\[1\] is not a tool/);
    expect(() => normalizeTools(null as never)).toThrow(ToolDefinitionError);
  });
});

describe("toolMap", () => {
  it("indexes tools by name", () => {
    const map = toolMap(normalizeTools([lookup, square]));
    expect(map.get("square")?.name).toBe("square");
  });
});
