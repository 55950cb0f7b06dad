/**
 * An `mcpTools()` set is a tool source: `current()` and `version` follow its updates, and
 * a spread copy passed as `tools` works but warns once that it does not follow the set.
 */

import { execute } from "codemode";
import { type McpToolSet, mcpTools } from "codemode/mcp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stdioFixture } from "./helpers.js";

describe("an mcpTools() set as a tool source", () => {
  let mcp: McpToolSet;
  beforeAll(async () => {
    mcp = await mcpTools(stdioFixture("catalog"));
  });
  afterAll(() => mcp?.close());

  it("current() is one frozen array until the set updates; version counts the updates", async () => {
    const before = mcp.current();
    expect(Object.isFrozen(before)).toBe(true);
    expect(mcp.current()).toBe(before);
    expect(before).toEqual([...mcp]);
    const version = mcp.version;
    const installed = await execute('extensions_install("fx")', { tools: mcp });
    expect(installed.ok).toBe(true);
    expect(mcp.version).toBe(version + 1);
    expect(mcp.current()).not.toBe(before);
    expect(mcp.current().at(-1)?.name).toBe("fx_convert_amount");
    await execute('extensions_remove("fx")', { tools: [mcp] });
    expect(mcp.version).toBe(version + 2);
    expect(mcp.current()).toHaveLength(500);
  });

  it("a spread copy still runs, and warns once that it keeps today's tools", async () => {
    const warnings: (Error & { code?: string })[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      await execute("1", { tools: [mcp] });
      const copy = await execute("1", { tools: [...mcp] });
      expect(copy.ok).toBe(true);
      await execute("1", { tools: [...mcp] });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.code)).toEqual(["CODEMODE_TOOL_SOURCE_COPIED"]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
