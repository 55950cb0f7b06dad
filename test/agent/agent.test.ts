import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type AgentEvent,
  type CallLlm,
  type ChatMessage,
  CodeModeAgent,
  defineTool,
  durableTool,
  SANDBOX_PYTHON_RULES,
} from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { startedTool } from "../execute/started.js";
import { pyAfter } from "../helpers/python.js";
import { type ScriptedReply, scriptedLlm } from "../helpers/scripted-llm.js";

const scripted = (replies: ScriptedReply[]) =>
  scriptedLlm(replies, { usage: { inputTokens: 10, outputTokens: 5 } });
const py = pyAfter("Here is the program:");

let salesCalls = 0;
const getSales = defineTool({
  name: "get_sales",
  description: "Revenue per region.\n\nReturns one row per region.",
  parameters: z.object({ year: z.number().int().describe("Calendar year") }),
  execute: ({ year }) => {
    salesCalls += 1;
    return [
      { region: "north", revenue: 120, year },
      { region: "south", revenue: 80, year },
    ];
  },
});

describe("CodeModeAgent", () => {
  it("builds the system prompt in order: prefix, functions, sandbox rules, result shape, skills", () => {
    const agent = new CodeModeAgent({
      tools: { sales: getSales },
      skills: ["Revenue is in EUR."],
      callLlm: scripted([]).callLlm,
    });
    const prompt = agent.systemPrompt;
    expect(prompt.startsWith("You are a helpful assistant. Write Python code")).toBe(true);
    const order = [
      "Available functions:",
      "- sales(year: int) -> Any",
      "    Revenue per region.",
      SANDBOX_PYTHON_RULES.split("\n")[0]!,
      "Return a dict with relevant result keys.",
      "Additional skills / context:\nRevenue is in EUR.",
    ].map((needle) => prompt.indexOf(needle));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(agent.toolDescriptions()).toEqual([
      { name: "sales", signature: "sales(year: int) -> Any", description: "Revenue per region." },
    ]);
    const custom = new CodeModeAgent({ tools: [], systemPromptPrefix: "You are Ada." });
    expect(custom.systemPrompt.startsWith("You are Ada.\n\nAvailable functions:")).toBe(true);
  });

  it("reads skills from files and names a missing one", () => {
    const file = join(tmpdir(), `skill-${process.pid}.md`);
    writeFileSync(file, "Fiscal year starts in April.");
    const agent = new CodeModeAgent({
      tools: [],
      skills: [{ path: file }, pathToFileURL(file).href, "literal"],
    });
    expect(agent.systemPrompt).toContain(
      "Fiscal year starts in April.\n\nFiscal year starts in April.\n\nliteral",
    );
    expect(() => new CodeModeAgent({ tools: [], skills: [{ path: "/nope/skill.md" }] })).toThrow(
      /\/nope\/skill\.md/,
    );
  });

  it("runs the generated code and shapes the result", async () => {
    const { callLlm, calls } = scripted([
      py(
        'rows = sales(2024)\ntop = max(rows, key=lambda r: r["revenue"])\nchart = {"type": "bar", "data": {"labels": [r["region"] for r in rows], "datasets": [{"label": "rev", "data": [r["revenue"] for r in rows]}]}}\n{"summary": f"**{top[\'region\']}** leads", "charts": [chart, "<b>hi</b>"]}',
      ),
    ]);
    const agent = new CodeModeAgent({ tools: { sales: getSales }, callLlm, model: "test:model" });
    const history: ChatMessage[] = [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ];
    const result = await agent.run("Which region leads?", history);
    expect(result.error).toBeNull();
    expect(result.summary).toBe("**north** leads");
    expect(result.charts).toHaveLength(2);
    expect(result.charts[0]).toMatchObject({ type: "bar", data: { labels: ["north", "south"] } });
    expect(result.attempts).toBe(1);
    expect(result.toolCalls).toMatchObject([{ name: "sales", args: { year: 2024 }, attempt: 1 }]);
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    expect(result.code).toContain("rows = sales(2024)");
    expect(calls[0]!.model).toBe("test:model");
    expect(calls[0]!.messages).toEqual([
      ...history,
      { role: "user", content: "Which region leads?" },
    ]);
  });

  it("uses the value as text when it is not a dict, and a default summary", async () => {
    const a = new CodeModeAgent({ tools: [], callLlm: scripted([py("6 * 7")]).callLlm });
    expect((await a.run("?")).summary).toBe("42");
    const b = new CodeModeAgent({ tools: [], callLlm: scripted([py('{"x": 1}')]).callLlm });
    expect((await b.run("?")).summary).toBe("No summary generated.");
  });

  it("feeds the error and the failed code back, then succeeds", async () => {
    const { callLlm, calls } = scripted([
      py("x = 1\ny = {}['missing']"),
      py('{"summary": "fixed"}'),
    ]);
    const events: AgentEvent[] = [];
    const agent = new CodeModeAgent({ tools: [], callLlm });
    const result = await agent.run("go", [], { onEvent: (e) => events.push(e) });
    expect(result.summary).toBe("fixed");
    expect(result.attempts).toBe(2);
    const retry = calls[1]!.messages;
    expect(retry).toHaveLength(3);
    expect(retry[1]!.role).toBe("assistant");
    expect(retry[2]!.content).toContain("KeyError (line 2)");
    expect(retry[2]!.content).toContain("y = {}['missing']");
    expect(events.map((e) => e.type)).toEqual([
      "generating_code",
      "code_generated",
      "executing",
      "retrying",
      "generating_code",
      "code_generated",
      "executing",
      "formatting",
      "done",
    ]);
    expect(events.find((e) => e.type === "retrying")).toMatchObject({ attempt: 1, maxAttempts: 3 });
  });

  it("gives up after maxRetries, saying how many attempts failed", async () => {
    const { callLlm } = scripted([py("1/0"), py("1/0")]);
    const agent = new CodeModeAgent({ tools: [], callLlm, maxRetries: 1 });
    const result = await agent.run("go");
    expect(result.attempts).toBe(2);
    expect(result.error).toMatch(
      /^Sandbox execution failed after 2 attempt\(s\): ZeroDivisionError/,
    );
    expect(result.executionError).toMatchObject({ type: "ZeroDivisionError", line: 1 });
  });

  it("reports which LLM call failed: code generation or a retry", async () => {
    const first = new CodeModeAgent({
      tools: [],
      callLlm: scripted([new Error("503 overloaded")]).callLlm,
    });
    const r1 = await first.run("go");
    expect(r1.error).toBe("Code generation failed: 503 overloaded");
    expect(r1.attempts).toBe(0);

    const second = new CodeModeAgent({
      tools: [],
      callLlm: scripted([py("1/0"), new Error("timeout")]).callLlm,
    });
    const r2 = await second.run("go");
    expect(r2.error).toBe("Retry LLM call failed: timeout");
    expect(r2.code).toBe("1/0");
  });

  it("type-checks before running, so a wrong call never reaches the tool", async () => {
    salesCalls = 0;
    const { callLlm, calls } = scripted([
      py('rows = get_sales("2024")\nrows'),
      py('{"summary": str(len(get_sales(2024)))}'),
    ]);
    const agent = new CodeModeAgent({ tools: [getSales], callLlm });
    const result = await agent.run("go");
    expect(result.summary).toBe("2");
    expect(salesCalls).toBe(1);
    expect(calls[1]!.messages[2]!.content).toMatch(
      /Type check failed, nothing ran:\nline 1: .*get_sales/,
    );

    salesCalls = 0;
    const unchecked = new CodeModeAgent({
      tools: [getSales],
      typeCheck: false,
      callLlm: scripted([py('get_sales("2024")'), py("1")]).callLlm,
    });
    const r = await unchecked.run("go");
    expect(r.attempts).toBe(2);
    expect(r.toolCalls[0]).toMatchObject({ attempt: 1, ok: false, error: { type: "TypeError" } });
  });

  it("rejects a malformed charts value and retries", async () => {
    const { callLlm, calls } = scripted([
      py('{"summary": "s", "charts": "not a list"}'),
      py('{"summary": "s", "charts": [{"type": "line"}]}'),
      py('{"summary": "ok", "charts": []}'),
    ]);
    const agent = new CodeModeAgent({ tools: [], callLlm });
    const result = await agent.run("go");
    expect(result.summary).toBe("ok");
    expect(calls[1]!.messages[2]!.content).toContain('"charts" must be a list');
    expect(calls[2]!.messages[4]!.content).toContain("charts[0] must be a Chart.js config");
  });

  it("streams events live, tool calls included", async () => {
    const agent = new CodeModeAgent({
      tools: [getSales],
      callLlm: scripted([py('print("hi")\n{"summary": str(len(get_sales(2024)))}')]).callLlm,
    });
    const types: string[] = [];
    let done: AgentEvent | undefined;
    for await (const event of agent.stream("go")) {
      types.push(event.type);
      if (event.type === "done") done = event;
    }
    expect(types).toEqual([
      "generating_code",
      "code_generated",
      "executing",
      "output",
      "tool_call",
      "tool_result",
      "formatting",
      "done",
    ]);
    expect(done?.type === "done" && done.result.summary).toBe("2");
  });

  it("cancels the LLM call and the sandbox with a signal", async () => {
    const controller = new AbortController();
    const callLlm: CallLlm = async (_m, _s, _msgs, { signal }) =>
      new Promise((_resolve, reject) => {
        signal?.addEventListener("abort", () => reject(new Error("aborted by caller")));
        setTimeout(() => controller.abort(), 20);
      });
    const agent = new CodeModeAgent({ tools: [], callLlm });
    const result = await agent.run("go", [], { signal: controller.signal });
    expect(result.error).toBe("Code generation failed: aborted by caller");

    const slow = new AbortController();
    const started = startedTool();
    const busy = new CodeModeAgent({
      tools: [started.tool],
      callLlm: scripted([py("started()\nwhile True:\n  pass")]).callLlm,
    });
    const pending = busy.run("go", [], { signal: slow.signal });
    // Cancel once the program is in its loop.
    await started.untilStarted();
    slow.abort();
    const r = await pending;
    expect(r.error).toMatch(/CancelledError/);
    expect(r.attempts).toBe(1);
  });

  it("reports durable tools", () => {
    expect(new CodeModeAgent({ tools: [getSales] }).usesDurableTools()).toBe(false);
    expect(new CodeModeAgent({ tools: [durableTool(getSales)] }).usesDurableTools()).toBe(true);
  });
});
