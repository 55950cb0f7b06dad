/** The `codemode` command line, run as a real child process on the built package. */
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeServer, openAiChatBody, startFakeServer } from "../llm/fake-servers.js";
import { runCli } from "./helpers.js";

const TOOLS = join(import.meta.dirname, "../../examples/data-tools/tools.ts");
const REPLAY = join(import.meta.dirname, "../../examples/replays/revenue-by-region.jsonl");
const QUESTION = "Which region had the highest revenue in 2024?";

const cli = runCli;

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("codemode run", () => {
  it("answers with the example tools and a replay model, as JSON", async () => {
    const run = await cli([
      "run",
      QUESTION,
      "--tools",
      TOOLS,
      "--model",
      `replay:${REPLAY}`,
      "--json",
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.error).toBeNull();
    expect(result.attempts).toBe(2);
    expect(result.summary).toMatch(/^\*\*East\*\* had the highest revenue in 2024/);
    expect(result.charts[0]).toMatchObject({
      type: "bar",
      data: { labels: ["East", "North", "West", "South"] },
    });
    expect(
      result.toolCalls.map((c: { name: string; attempt: number }) => [c.name, c.attempt]),
    ).toEqual([
      ["fetch_data", 1],
      ["fetch_data", 2],
      ["group_and_aggregate", 2],
      ["create_chart", 2],
    ]);
    expect(result.usage).toEqual({ inputTokens: 3170, outputTokens: 320, totalTokens: 3490 });
    // Progress goes to stderr, so stdout is pure JSON.
    expect(run.stderr).toContain("→ fetch_data(");
    expect(run.stderr).toContain("attempt failed, retrying: ValueError (line 1)");
  });

  it("prints the code, the summary and the tool calls for people", async () => {
    const run = await cli(["run", QUESTION, "--tools", TOOLS, "--model", `replay:${REPLAY}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Code (attempt 2):\n```python\nrows = fetch_data("sales_2024"');
    expect(run.stdout).toContain("Summary:\n**East**");
    expect(run.stdout).toMatch(/Tool calls:\n {2}#1 fetch_data\(.*\) ValueError .* \(attempt 1\)/);
  });

  it("uses the real default client against an OpenAI-compatible server, with skills", async () => {
    server = await startFakeServer(() => ({
      body: openAiChatBody('```python\n{"summary": "ok"}\n```'),
    }));
    const skill = join(tmpdir(), `cli-skill-${process.pid}.md`);
    writeFileSync(skill, "Revenue is reported in EUR.");
    const run = await cli(
      ["run", "hi", "--tools", TOOLS, "--model", "openai:local", "--skill", skill, "--json"],
      { OPENAI_BASE_URL: server.baseURL },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toBe("ok");
    const body = server.requests[0]!.body as { messages: { content: string }[] };
    expect(body.messages[0]!.content).toContain("Revenue is reported in EUR.");
    expect(body.messages[0]!.content).toContain("- fetch_data(dataset: str");
  });

  it("names the key to set when none is configured", async () => {
    const run = await cli(["run", "hi", "--tools", TOOLS, "--model", "anthropic:claude-haiku-4-5"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ANTHROPIC_API_KEY");
  });

  it("--demo runs the shipped example tools and recorded answers, from any directory", async () => {
    const run = await cli(
      ["run", QUESTION, "--demo", "--json"],
      { CODEMODE_MODEL: "openai:x" },
      tmpdir(),
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatch(/^\*\*East\*\* had the highest revenue in 2024/);
  });

  it("--demo refuses --tools, which it would replace", async () => {
    const run = await cli(["run", "hi", "--demo", "--tools", TOOLS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--demo brings its own tools");
  });

  it("explains a missing tools file", async () => {
    const run = await cli(["run", "hi", "--tools", "./nope/tools.ts"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Tools file not found: .*nope\/tools\.ts/);
  });
});

describe("the command line's contract", () => {
  it("--version prints the package's version", async () => {
    const run = await cli(["--version"]);
    expect(run.code).toBe(0);
    const { version } = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../package.json"), "utf8"),
    ) as { version: string };
    expect(run.stdout.trim()).toBe(version);
  });

  it.each([
    [["run", QUESTION, "--bogus"], "unknown option '--bogus'"],
    [["run"], "missing required argument 'question'"],
    [["nosuch"], "unknown command 'nosuch'"],
    [[], "Usage: codemode"],
    [["run", QUESTION, "--model"], "argument missing"],
  ])("exits 2 on a usage error the parser finds: %j", async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("run checks --model before any work: exit 2, no model asked", async () => {
    const run = await cli(["run", QUESTION, "--tools", TOOLS, "--model", "claude-haiku"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--model: Model "claude-haiku" has no provider');
    expect(run.stderr).not.toContain("asking the model");
    const missing = await cli(["run", QUESTION, "--model", "replay:./no-such-replay.jsonl"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no-such-replay.jsonl does not exist");
  });

  it("mcp with ask enabled and no key says so at start", async () => {
    const run = await cli(["mcp", "--demo", "--model", "anthropic:claude-haiku-4-5"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      "ANTHROPIC_API_KEY is not set, so ask will fail at the first model call",
    );
    expect(run.stderr).toContain("--no-ask");
    const noAsk = await cli(["mcp", "--demo", "--no-ask", "--model", "anthropic:x"]);
    expect(noAsk.stderr).not.toContain("ANTHROPIC_API_KEY");
  });

  it("eval --demo runs the shipped example offline, from any directory", async () => {
    const run = await cli(["eval", "--demo", "--json"], {}, tmpdir());
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { totals: Record<string, { passed: number }> };
    expect(report.totals["code-mode"]!.passed).toBe(4);
  });

  it("every command that runs the agent offers --compensate", async () => {
    for (const command of ["run", "resume", "chat", "mcp", "worker"]) {
      const help = await cli([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain("--compensate");
    }
  });
});
