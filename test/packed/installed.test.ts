/**
 * The installed package (test/packed/installed.ts: `npm pack` from a clean tree, then
 * `npm install <tarball>` in an empty project) holds what its exports, bin and docs point
 * at, and works there without this repository: plain `node`, no tsx.
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliRun, runCli, withoutAmbientKeys } from "../cli/helpers.js";
import { type PackedInstall, packedInstall } from "./installed.js";

const run = promisify(execFile);
let installed: PackedInstall;

beforeAll(async () => {
  installed = await packedInstall();
}, 300_000);

/** `npx codemode <args>` as a user runs it in the installed project, to its exit. */
function codemode(args: string[]): Promise<CliRun> {
  return runCli(args, {}, installed.app, [join(installed.app, "node_modules/.bin/codemode")]);
}

/** Resolves true when a TCP connection to host:port opens, false when it is refused. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

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

describe("the installed command line", () => {
  it("codemode --version prints the package's version", async () => {
    const run = await codemode(["--version"]);
    expect(run.code).toBe(0);
    const pkg = JSON.parse(
      readFileSync(join(installed.app, "node_modules/codemode/package.json"), "utf8"),
    ) as { version: string };
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it("an unknown option is a usage error: exit 2", async () => {
    const run = await codemode(["run", "hi", "--demo", "--no-such-option"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-option'");
  });

  it("a malformed --model exits 2 before any model call", async () => {
    const run = await codemode(["run", "hi", "--demo", "--model", "gpt-4.1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Model "gpt-4.1" has no provider');
    expect(run.stderr).not.toContain("asking the model");
  });

  it("codemode eval --demo runs the shipped example offline: exit 0", async () => {
    const run = await codemode(["eval", "--demo"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("code mode: 4/4 passed");
  });

  it("codemode worker --demo listens on loopback only", async () => {
    const child = spawn(
      join(installed.app, "node_modules/.bin/codemode"),
      ["worker", "--demo", "--port", "0"],
      { cwd: installed.app, env: withoutAmbientKeys(), stdio: ["ignore", "ignore", "pipe"] },
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let stderr = "";
        child.stderr!.on("data", (d: Buffer) => {
          stderr += d;
          const match = /codemode worker listening on http:\/\/127\.0\.0\.1:(\d+): /.exec(stderr);
          if (match) resolve(Number(match[1]));
        });
        child.once("exit", (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
      });
      expect(await accepts("127.0.0.1", port)).toBe(true);
      // Any address of this machine other than loopback is refused.
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a && !a.internal && a.family === "IPv4")
        .map((a) => a!.address);
      for (const address of others) expect(await accepts(address, port)).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});
