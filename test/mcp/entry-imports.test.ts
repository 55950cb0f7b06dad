/**
 * What an entry point loads: `codemode/mcp` serves run_python without the AI SDK (`ai`),
 * and the root without Zod, the MCP SDK or the AI SDK, so a server starts fast and small.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const recorder = fileURLToPath(new URL("./fixtures/record-imports.mjs", import.meta.url));

function packagesLoadedBy(entry: string): string[] {
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      recorder,
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(entry)});`,
    ],
    { cwd: root, encoding: "utf8", timeout: 60_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  return [...child.stderr.matchAll(/^loaded (\S+)$/gm)].map((m) => m[1]!);
}

describe("entry points load only what they need", () => {
  it("codemode/mcp does not load the AI SDK", () => {
    const loaded = packagesLoadedBy("./src/mcp/index.ts");
    expect(loaded).toContain("@modelcontextprotocol/sdk");
    expect(loaded).not.toContain("ai");
  });

  it("the root loads neither the AI SDK, nor the MCP SDK, nor Zod", () => {
    const loaded = packagesLoadedBy("./src/index.ts");
    expect(loaded).toContain("@pydantic/monty");
    for (const heavy of ["ai", "@modelcontextprotocol/sdk", "zod"])
      expect(loaded).not.toContain(heavy);
  });
});
