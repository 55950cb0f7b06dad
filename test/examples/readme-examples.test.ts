/**
 * The README's examples run as written: each is spawned the way a reader would run it
 * (`npx tsx examples/<file>.ts`) and must print what the README says and exit on its own.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

async function runExample(file: string, env: Record<string, string> = {}) {
  return run(tsx, [file], {
    cwd: root,
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
}

describe("README examples", () => {
  it("examples/execute.ts prints the cheapest product, the output and the call count", async () => {
    const { stdout } = await runExample("examples/execute.ts");
    expect(stdout).toContain("{ cheapest: 'kiwi', total: 150 }");
    expect(stdout).toContain("checked 3 products");
    expect(stdout.trim().split("\n").at(-1)).toBe("3");
  }, 90_000);

  it("examples/agent.ts answers with code, a summary and a chart (replay model)", async () => {
    const { stdout, stderr } = await runExample("examples/agent.ts", {
      CODEMODE_MODEL: "replay:examples/replays/revenue-by-region.jsonl",
    });
    expect(stdout).toContain('fetch_data("sales_2024"');
    expect(stdout).toMatch(/\*\*East\*\* had the highest revenue in 2024/);
    // The replay's first reply names a dataset that does not exist: one retry, then success.
    expect(stdout).toMatch(/1 chart\(s\), \d+ tool call\(s\)/);
    expect(stderr).not.toMatch(/error/i);
  }, 90_000);

  it("examples/agent.ts without a key says which variable to set", async () => {
    const env: Record<string, string> = { CODEMODE_MODEL: "anthropic:claude-haiku-4-5" };
    const error = await runExample("examples/agent.ts", { ...env, ANTHROPIC_API_KEY: "" }).then(
      () => undefined,
      (e: { stderr: string }) => e,
    );
    expect(error?.stderr ?? "").toContain("ANTHROPIC_API_KEY");
  }, 90_000);
});
