/**
 * What an entry point loads: `codemode/mcp` serves run_python without the AI SDK (`ai`),
 * and the root without Zod, the MCP SDK or the AI SDK, so a server starts fast and small.
 */
import { describe, expect, it } from "vitest";
import { packagesLoadedBy } from "../api/loaded-packages.js";

describe("entry points load only what they need", () => {
  it("codemode/mcp does not load the AI SDK", async () => {
    const loaded = await packagesLoadedBy("./src/mcp/index.ts");
    expect(loaded).toContain("@modelcontextprotocol/sdk");
    expect(loaded).not.toContain("ai");
  });

  it("the root loads neither the AI SDK, nor the MCP SDK, nor Zod", async () => {
    const loaded = await packagesLoadedBy("./src/index.ts");
    expect(loaded).toContain("@pydantic/monty");
    for (const heavy of ["ai", "@modelcontextprotocol/sdk", "zod"])
      expect(loaded).not.toContain(heavy);
  });
});
