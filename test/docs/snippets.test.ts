/**
 * The docs' code must run. Every ```ts block of the listed pages (except ```ts norun) is
 * written to a module inside the repo (so `import ... from "codemode"` resolves to the
 * build); one tsx process imports them in turn, then the runnable example, printing a
 * marker before each. Each `// => text` comment must appear in what its module printed,
 * in order. One process keeps this fast: loading `ai`, zod and codemode once.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const scratch = join(root, "test", "docs", `.snippets-${process.pid}`);
const PAGES = [
  "docs/tools.md",
  "docs/ai-sdk.md",
  "docs/agent.md",
  "docs/mcp.md",
  "docs/openapi.md",
  "docs/chat.md",
  "docs/eval.md",
  "docs/approvals.md",
  "docs/observability.md",
];
const EXAMPLE = "examples/ai-sdk-tools.ts";
const MARK = "@@snippet ";

interface Snippet {
  name: string;
  file: string;
  code: string;
}

function snippets(page: string): Snippet[] {
  const text = readFileSync(join(root, page), "utf8");
  const found: Snippet[] = [];
  const fence = /^```ts[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    const line = text.slice(0, match.index).split("\n").length;
    const file = join(scratch, `${page.replace(/\W/g, "_")}_${line}.ts`);
    found.push({ name: `${page}:${line}`, file, code: match[1]! });
  }
  return found;
}

/** The `// => text` expectations of a snippet, in order. */
function expectations(code: string): string[] {
  return [...code.matchAll(/\/\/ => (.*)$/gm)].map((m) => m[1]!.trim());
}

const all: Snippet[] = [
  ...PAGES.flatMap(snippets),
  { name: EXAMPLE, file: join(root, EXAMPLE), code: readFileSync(join(root, EXAMPLE), "utf8") },
];
const printed = new Map<string, string>();
let failure: unknown;

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  // A snippet is written as a script at the repository root would be: `./examples/...`.
  const rooted = (code: string) => code.replaceAll('from "./examples/', `from "${root}/examples/`);
  for (const s of all) if (s.file.startsWith(scratch)) writeFileSync(s.file, rooted(s.code));
  const runner = join(scratch, "run-all.ts");
  const files = JSON.stringify(all.map((s) => [s.name, s.file]));
  writeFileSync(
    runner,
    `import { pathToFileURL } from "node:url";\nfor (const [name, file] of ${files}) {\n` +
      `  console.log(${JSON.stringify(MARK)} + name);\n  await import(pathToFileURL(file).href);\n}\n` +
      // Exit once every snippet ran, whatever a snippet left open.
      "process.exit(0);\n",
  );
  try {
    const { stdout } = await run(tsx, [runner], { cwd: root, timeout: 120_000 });
    for (const section of stdout.split(MARK).slice(1)) {
      const newline = section.indexOf("\n");
      printed.set(section.slice(0, newline), section.slice(newline + 1));
    }
  } catch (error) {
    failure = error;
  }
}, 150_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("docs code runs", () => {
  it("finds the snippets and runs them all", () => {
    expect(failure).toBeUndefined();
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect([...printed.keys()]).toEqual(all.map((s) => s.name));
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
