/**
 * The docs' code must run where the package is installed. Every ```ts block of the listed
 * pages (except ```ts norun) is written to a module in a project that installed the packed
 * tarball (test/packed/installed.ts, shared with the other packed tests), so
 * `import ... from "codemode"` resolves to what a user gets and paths like
 * `node_modules/codemode/examples/...` resolve as they would for them. There the blocks
 * are type-checked together with `tsc --strict` against the package's own types, then one
 * tsx process imports them in turn, then the runnable example, printing a marker before
 * each. Each `// => text` comment must appear in what its module printed, in order. One
 * process keeps this fast: loading `ai`, zod and codemode once.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { withoutAmbientKeys } from "../cli/helpers.js";
import { packedInstall, ROOT } from "../packed/installed.js";
import { type Snippet, snippets } from "./pages.js";

const run = promisify(execFile);
const PAGES = [
  "README.md",
  "docs/tools.md",
  "docs/ai-sdk.md",
  "docs/agent.md",
  "docs/mcp.md",
  "docs/openapi.md",
  "docs/chat.md",
  "docs/eval.md",
  "docs/approvals.md",
  "docs/side-effects.md",
  "docs/observability.md",
];
const EXAMPLE = "examples/ai-sdk-tools.ts";
const MARK = "@@snippet ";
/** The README's agent example runs with the recorded replies shipped for it. */
const REPLAY = "replay:node_modules/codemode/examples/replays/revenue-by-region.jsonl";

/** The `// => text` expectations of a snippet, in order. */
function expectations(code: string): string[] {
  return [...code.matchAll(/\/\/ => (.*)$/gm)].map((m) => m[1]!.trim());
}

const all: Snippet[] = [
  ...PAGES.flatMap((page) => snippets(page).filter((s) => !s.norun)),
  {
    name: EXAMPLE,
    file: "example_ai_sdk_tools.ts",
    code: readFileSync(join(ROOT, EXAMPLE), "utf8"),
    norun: false,
  },
];
const printed = new Map<string, string>();
let typeErrors = "";
let failure: unknown;

beforeAll(async () => {
  const { app } = await packedInstall();
  const scratch = join(app, "snippets");
  mkdirSync(scratch, { recursive: true });
  for (const s of all) writeFileSync(join(scratch, s.file), s.code);
  // Type-check every block as a user's strict project would, against the installed types.
  writeFileSync(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules/@types")],
      },
      include: ["*.ts"],
    }),
  );
  const typeCheck = run(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", scratch],
    {
      cwd: app,
      timeout: 120_000,
    },
  ).then(
    () => "",
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
  const runner = join(scratch, "run-all.mts");
  const files = JSON.stringify(all.map((s) => [s.name, join(scratch, s.file)]));
  writeFileSync(
    runner,
    `import { pathToFileURL } from "node:url";\nfor (const [name, file] of ${files}) {\n` +
      `  console.log(${JSON.stringify(MARK)} + name);\n  await import(pathToFileURL(file).href);\n}\n` +
      // Exit once every snippet ran, whatever a snippet left open.
      "process.exit(0);\n",
  );
  const env = { ...withoutAmbientKeys(), CODEMODE_MODEL: REPLAY };
  try {
    const { stdout } = await run(join(app, "node_modules/.bin/tsx"), [runner], {
      cwd: app,
      env,
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    for (const section of stdout.split(MARK).slice(1)) {
      const newline = section.indexOf("\n");
      printed.set(section.slice(0, newline), section.slice(newline + 1));
    }
  } catch (error) {
    failure = error;
  }
  typeErrors = await typeCheck;
}, 450_000);

describe("docs code runs where the package is installed", () => {
  it("finds the snippets and runs them all", () => {
    expect(failure).toBeUndefined();
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect([...printed.keys()]).toEqual(all.map((s) => s.name));
  });

  it("type-checks them all with tsc --strict against the installed types", () => {
    // Errors name the snippet's file: <page>_<line>.ts, the line its fence opens on.
    expect(typeErrors).toBe("");
  });

  it("the README's agent example answers with the replay model and prints no error", () => {
    const agent = all.find((s) => s.name.startsWith("README.md") && s.code.includes("agent.run"));
    expect(agent?.code).toContain("result.error");
    const stdout = printed.get(agent!.name) ?? "";
    expect(stdout).toMatch(/\*\*East\*\* had the highest revenue in 2024/);
  });

  it.each(all.map((s) => [s.name, s] as const))("%s prints what its comments say", (_, s) => {
    const stdout = printed.get(s.name) ?? "";
    let from = 0;
    for (const text of expectations(s.code)) {
      const at = stdout.indexOf(text, from);
      expect(at, `"${text}" not printed (after offset ${from}):\n${stdout}`).toBeGreaterThanOrEqual(
        0,
      );
      from = at + text.length;
    }
  });
});
