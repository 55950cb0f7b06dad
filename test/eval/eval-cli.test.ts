/** `codemode eval`, run as a real child process on the built package (`npm run build`). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../cli/helpers.js";
import { REPLAY, SCRIPTS, TASKS, TOOLS } from "./data-scripts.js";
import { type ScriptedLlm, startScriptedLlm } from "./scripted-llm.js";

const cli = (args: string[], env: Record<string, string> = {}) => runCli(["eval", ...args], env);

let llm: ScriptedLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

describe("codemode eval", () => {
  it("runs the example offline on its replay: the table on stdout, a line per run on stderr", async () => {
    const run = await cli(["--tools", TOOLS, "--tasks", TASKS, "--model", `replay:${REPLAY}`]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`codemode eval: 4 tasks, model replay:${REPLAY}`);
    expect(lines[2]).toMatch(
      /^task +mode +passed +first try +turns +retries +LLM calls +tokens in +tokens out +tool calls +time$/,
    );
    expect(run.stdout).toMatch(/^top-region +code mode +1\/1 +0\/1 +1 +1 +2 +3,170 +320 +4 /m);
    expect(run.stdout).toMatch(/^total +code mode +4\/4 +3\/4 +7 +1 +8 +13,780 +955 +12 /m);
    expect(run.stdout).toContain("code mode: 4/4 passed (100%), 3 on the first try");
    // Not a terminal: plain lines, no bar.
    expect(run.stderr).toContain("[1/4] pass top-region (code mode): 1 turn(s), 2 LLM call(s)");
    expect(run.stderr).toContain("[4/4] pass low-stock (code mode)");
    expect(run.stderr).not.toContain("\r");
  });

  it("--compare tool-calling against an OpenAI-compatible server: both modes, ratios, failures, exit 0", async () => {
    llm = await startScriptedLlm("openai", SCRIPTS);
    const run = await cli(
      [
        "--tools",
        TOOLS,
        "--tasks",
        TASKS,
        "--model",
        "openai:test-model",
        "--compare",
        "tool-calling",
      ],
      { OPENAI_BASE_URL: llm.server.baseURL },
    );
    // Only code mode's failures fail the command; the baseline is measured.
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^low-stock +code mode +1\/1 /m);
    expect(run.stdout).toMatch(/^ +tool calling +0\/1 +0\/1 +3 +1 +3 /m);
    expect(run.stdout).toContain("tool calling: 3/4 passed (75%)");
    expect(run.stdout).toMatch(/tool calling ÷ code mode: LLM calls 1\.88×, tokens in \d+\.\d\d×/);
    expect(run.stdout).toContain("low-stock (tool calling):");
    expect(run.stdout).toContain(
      "✗ number 38: no number equal to 38; the closest number in the answer is 36",
    );
  });

  it("--json prints the report, with each failure's transcript; a failing code-mode task exits 1", async () => {
    const question = "How many rows does sales_2024 have?";
    llm = await startScriptedLlm("openai", {
      [question]: { code: ['```python\n{"summary": "It has 480 rows."}\n```'], toolCalling: [] },
    });
    const dir = mkdtempSync(join(tmpdir(), "eval-cli-"));
    const tasks = join(dir, "tasks.jsonl");
    writeFileSync(
      tasks,
      `${JSON.stringify({ id: "rows", question, expect: [{ number: 487 }] })}\n`,
    );
    const run = await cli(
      ["--tools", TOOLS, "--tasks", tasks, "--model", "openai:m", "--json", "--max-turns", "1"],
      { OPENAI_BASE_URL: llm.server.baseURL },
    );
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.totals["code-mode"]).toMatchObject({ runs: 1, passed: 0 });
    expect(report.runs[0].checks[0].message).toBe(
      "no number equal to 487; the closest number in the answer is 480",
    );
    expect(report.runs[0].transcript.at(-1)).toEqual({
      role: "assistant",
      content: '```python\n{"summary": "It has 480 rows."}\n```',
    });
  });

  it("a bad task file exits 2 and names the line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eval-cli-"));
    const tasks = join(dir, "tasks.jsonl");
    writeFileSync(
      tasks,
      '{"question": "ok?", "expect": [{"contains": "ok"}]}\n\n{"question": "x", "expect": [{"numbr": 3}]}\n',
    );
    const run = await cli(["--tools", TOOLS, "--tasks", tasks, "--model", `replay:${REPLAY}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${tasks}:3: expect[0]: names no kind; give exactly one of "number"`,
    );
    expect(run.stdout).toBe("");
  });
});
