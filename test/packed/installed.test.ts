/**
 * The installed package (test/packed/installed.ts: `npm pack` from a clean tree, then
 * `npm install <tarball>` in an empty project) holds what its exports, bin and docs point
 * at, and works there without this repository: plain `node`, no tsx.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { type PackedInstall, packedInstall } from "./installed.js";

const run = promisify(execFile);
let installed: PackedInstall;

beforeAll(async () => {
  installed = await packedInstall();
}, 300_000);

/** Runs `node --input-type=module -e <code>` in the installed project. */
async function nodeInApp(code: string) {
  return run(process.execPath, ["--input-type=module", "-e", code], {
    cwd: installed.app,
    timeout: 60_000,
  });
}

describe("the packed tarball", () => {
  it("is built on pack: every export and the bin point at a file in it", () => {
    const pkg = JSON.parse(
      readFileSync(join(installed.app, "node_modules/codemode/package.json"), "utf8"),
    ) as {
      exports: Record<string, string | Record<string, string>>;
      bin: Record<string, string>;
    };
    const targets = [
      ...Object.values(pkg.exports).flatMap((e) =>
        typeof e === "string" ? [e] : Object.values(e),
      ),
      ...Object.values(pkg.bin),
    ].map((path) => path.replace(/^\.\//, ""));
    expect(targets).toContain("dist/examples/data-tools/tools.js");
    expect(targets.filter((path) => !installed.files.includes(path))).toEqual([]);
  });

  it("ships no source maps (their sources are not shipped) and what the docs run", () => {
    expect(installed.files.filter((path) => path.endsWith(".map"))).toEqual([]);
    expect(installed.files).toContain("examples/mcp/weather-server.mjs");
    expect(installed.files).toContain("examples/replays/revenue-by-region.jsonl");
    expect(installed.files).toContain("examples/data-tools/tasks.jsonl");
  });
});

describe("the installed package", () => {
  it("imports the example tools from codemode/examples/data-tools with plain node", async () => {
    const { stdout } = await nodeInApp(
      'import { tools } from "codemode/examples/data-tools";\n' +
        'import { execute, closeDefaultSandboxPool } from "codemode";\n' +
        "const result = await execute('len(list_datasets())', { tools });\n" +
        "console.log(tools.map((t) => t.name).join(' '), result.value);\n" +
        "await closeDefaultSandboxPool();",
    );
    expect(stdout.trim()).toBe("list_datasets fetch_data group_and_aggregate create_chart 4");
  });
});
