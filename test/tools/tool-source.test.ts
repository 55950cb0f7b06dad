/**
 * Tool sources: a tools option that holds a live source follows it by `version` (the
 * source's tools are never compared), and a copy of a live source's tools says so once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { execute } from "../../src/execute/execute.js";
import { functionTool } from "../../src/tools/define/define-tool.js";
import {
  claimTools,
  LiveToolSet,
  normalizeTools,
  type ToolSource,
  toolSource,
} from "../../src/tools/define/tool-set.js";
import type { Tool } from "../../src/tools/types.js";

function double(x: number): number {
  return x * 2;
}
function triple(x: number): number {
  return x * 3;
}

/** A source whose tools change when the test says so, counting how often it is read. */
function changingSource(initial: Tool[]) {
  let tools: readonly Tool[] = Object.freeze([...initial]);
  let version = 0;
  const source = {
    reads: 0,
    current() {
      source.reads += 1;
      return tools;
    },
    get version() {
      return version;
    },
    set(next: Tool[]) {
      tools = Object.freeze([...next]);
      version += 1;
      claimTools(source, tools);
    },
  };
  claimTools(source, tools);
  return source;
}

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
process.on("warning", onWarning);
afterEach(() => {
  warnings.length = 0;
});

describe("ToolSource", () => {
  it("a list holding a source is read again only when its version changed", async () => {
    const source = changingSource([functionTool(double)]);
    const live = new LiveToolSet([source] as unknown as Tool[]);
    const first = live.current();
    expect(first.map((t) => t.name)).toEqual(["double"]);
    const reads = source.reads;
    expect(live.current()).toBe(first);
    expect(live.version).toBe(0);
    expect(source.reads).toBe(reads); // unchanged version: the tools were not read or compared

    source.set([functionTool(double), functionTool(triple)]);
    expect(live.current().map((t) => t.name)).toEqual(["double", "triple"]);
    expect(live.version).toBe(1);
  });

  it("execute() follows a source in its tools and reuses the prepared tools between versions", async () => {
    const source = changingSource([functionTool(double)]);
    const tools = [source] as unknown as Tool[];
    expect(toolSource(tools)).toBe(toolSource(tools));
    const before = await execute("double(4)", { tools, isolation: "in-process" });
    expect(before.ok && before.value).toBe(8);
    const missing = await execute("triple(4)", { tools, isolation: "in-process" });
    expect(missing.ok).toBe(false);
    source.set([functionTool(double), functionTool(triple)]);
    const after = await execute("triple(4)", {
      tools,
      isolation: "in-process",
      typeCheck: true,
    });
    expect(after.ok && after.value).toBe(12);
  });

  it("a copy of a source's tools works and warns once that it does not follow the source", async () => {
    const source: ToolSource = changingSource([functionTool(double)]);
    expect(normalizeTools([...source.current()]).map((t) => t.name)).toEqual(["double"]);
    normalizeTools([...source.current()]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual([
      "CODEMODE_TOOL_SOURCE_COPIED",
    ]);
    expect(warnings[0]!.message).toContain("Pass the set itself");
  });

  it("the source itself, in a list or as the whole option, warns nothing", async () => {
    const source = changingSource([functionTool(double)]);
    normalizeTools([source] as unknown as Tool[]);
    normalizeTools(source as unknown as Tool[]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });
});
