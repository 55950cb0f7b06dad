import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
} from "@ai-sdk/provider";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { defineTool, SANDBOX_PYTHON_RULES } from "codemode";
import { codeModeTool, type RunPythonResult } from "codemode/ai-sdk";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

function reply(content: LanguageModelV3Content[]): LanguageModelV3GenerateResult {
  const calls = content.some((c) => c.type === "tool-call");
  return {
    content,
    finishReason: { unified: calls ? "tool-calls" : "stop", raw: undefined },
    usage,
    warnings: [],
  };
}

const runPython = (id: string, code: string): LanguageModelV3Content => ({
  type: "tool-call",
  toolCallId: id,
  toolName: "run_python",
  input: JSON.stringify({ code }),
});

/** The `run_python` results the model has been sent so far, oldest first. */
function toolResults(options: LanguageModelV3CallOptions): RunPythonResult[] {
  const results: RunPythonResult[] = [];
  for (const message of options.prompt) {
    if (message.role !== "tool") continue;
    for (const part of message.content) {
      if (part.type === "tool-result" && part.output.type === "json") {
        results.push(part.output.value as unknown as RunPythonResult);
      }
    }
  }
  return results;
}

/**
 * A scripted model: each step gets the prompt so far and returns the next reply. Later
 * steps read the tool results out of the prompt, as a real model would.
 */
function scriptedModel(
  steps: ((options: LanguageModelV3CallOptions) => LanguageModelV3Content[])[],
) {
  const prompts: LanguageModelV3CallOptions[] = [];
  const model = new MockLanguageModelV3({
    doGenerate: async (options) => {
      prompts.push(options);
      const step = steps[prompts.length - 1];
      if (!step) throw new Error(`no scripted reply for step ${prompts.length}`);
      return reply(step(options));
    },
  });
  return { model, prompts };
}

const userCalls: number[] = [];
const getUser = defineTool({
  name: "get_user",
  description: "One user by id.",
  parameters: z.object({ id: z.number().int() }),
  returns: z.object({ id: z.number().int(), name: z.string(), email: z.string() }),
  execute: ({ id }) => {
    userCalls.push(id);
    return { id, name: ["Ada", "Grace", "Edsger"][id - 1] ?? "?", email: `u${id}@example.com` };
  },
});

const orderCalls: number[] = [];
// An AI SDK tool, exactly as it would be written for generateText.
const listOrders = tool({
  description: "Orders of a user.",
  inputSchema: z.object({ user_id: z.number().int() }),
  outputSchema: z.array(z.object({ order_id: z.string(), amount: z.number() })),
  execute: async ({ user_id }) => {
    orderCalls.push(user_id);
    return [
      { order_id: `o${user_id}a`, amount: 10 * user_id },
      { order_id: `o${user_id}b`, amount: 5 },
    ];
  },
});

const program = [
  "totals = {}",
  "for uid in [1, 2, 3]:",
  "    user = get_user(uid)",
  '    totals[user["name"]] = sum(o["amount"] for o in list_orders(uid))',
  "best = max(totals, key=lambda k: totals[k])",
  '{"totals": totals, "best": best}',
].join("\n");

describe("codeModeTool in an AI SDK loop", () => {
  it("lets generateText hand multi-tool work to Python, then answer from the result", async () => {
    userCalls.length = 0;
    orderCalls.length = 0;
    const { model, prompts } = scriptedModel([
      () => [{ type: "text", text: "Let me compute that." }, runPython("call-1", program)],
      (options) => {
        const [result] = toolResults(options);
        if (!result?.ok)
          throw new Error(`expected a successful result, got ${JSON.stringify(result)}`);
        const value = result.value as { totals: Record<string, number>; best: string };
        return [
          { type: "text", text: `${value.best} spent the most (${value.totals[value.best]}).` },
        ];
      },
    ]);
    const run_python = codeModeTool({ tools: { get_user: getUser, list_orders: listOrders } });

    const result = await generateText({
      model,
      tools: { run_python },
      stopWhen: stepCountIs(5),
      prompt: "Which user spent the most?",
    });

    expect(result.text).toBe("Edsger spent the most (35).");
    expect(result.steps).toHaveLength(2);
    expect(userCalls).toEqual([1, 2, 3]);
    expect(orderCalls).toEqual([1, 2, 3]);
    const first = result.steps[0]!.toolResults[0]!;
    expect(first.toolName).toBe("run_python");
    expect(first.output).toEqual({
      ok: true,
      value: { totals: { Ada: 15, Grace: 25, Edsger: 35 }, best: "Edsger" },
      toolCalls: { count: 6, byTool: { get_user: 3, list_orders: 3 } },
    });

    // What the model was told: one tool taking `code`, described with the functions'
    // Python signatures, their TypedDicts and the sandbox rules.
    const sent = prompts[0]!.tools!;
    expect(sent).toHaveLength(1);
    const runTool = sent[0]!;
    expect(runTool.type === "function" && runTool.name).toBe("run_python");
    if (runTool.type !== "function") throw new Error("expected a function tool");
    expect(runTool.inputSchema).toMatchObject({
      type: "object",
      properties: { code: { type: "string" } },
      required: ["code"],
    });
    const description = runTool.description ?? "";
    expect(description).toContain("- get_user(id: int) -> GetUserResult\n    One user by id.");
    expect(description).toContain(
      "- list_orders(user_id: int) -> list[ListOrdersResultItem]\n    Orders of a user.",
    );
    expect(description).toContain(
      "class ListOrdersResultItem(TypedDict):\n    order_id: str\n    amount: float",
    );
    expect(description).toContain(SANDBOX_PYTHON_RULES);
  });

  it("reports a type error with its line before any tool runs, and the model recovers", async () => {
    userCalls.length = 0;
    const { model } = scriptedModel([
      () => [runPython("c1", 'u = get_user(2)\n{"mail": u["emial"]}')],
      (options) => {
        const [failed] = toolResults(options);
        if (failed?.ok !== false) throw new Error("expected the first program to fail");
        return [runPython("c2", 'u = get_user(2)\n{"mail": u["email"]}')];
      },
      (options) => {
        const fixed = toolResults(options)[1];
        return [{ type: "text", text: `Mail: ${JSON.stringify(fixed)}` }];
      },
    ]);
    const result = await generateText({
      model,
      tools: { run_python: codeModeTool({ tools: [getUser], isolation: "in-process" }) },
      stopWhen: stepCountIs(5),
      prompt: "Mail of user 2?",
    });
    const failed = result.steps[0]!.toolResults[0]!.output as RunPythonResult;
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error.type).toBe("TypeCheckError");
    expect(failed.error.line).toBe(2);
    expect(failed.error.message).toMatch(
      /line 2: Unknown key "emial" for TypedDict `GetUserResult`/,
    );
    expect(failed.toolCalls.count).toBe(0);
    expect(userCalls).toEqual([2]); // only the fixed program called the tool
    expect(result.text).toBe(
      'Mail: {"ok":true,"value":{"mail":"u2@example.com"},"toolCalls":{"count":1,"byTool":{"get_user":1}}}',
    );
  });

  it("a failed program's result lists the calls that already changed things", async () => {
    const sent: string[] = [];
    const sendEmail = defineTool({
      name: "send_email",
      parameters: z.object({ to: z.string() }),
      execute: ({ to }) => {
        sent.push(to);
        return "sent";
      },
    });
    const getUser = defineTool({
      name: "get_user",
      parameters: z.object({ id: z.number() }),
      annotations: { readOnlyHint: true },
      execute: ({ id }) => ({ id }),
    });
    const run_python = codeModeTool({ tools: [sendEmail, getUser], isolation: "in-process" });
    const failed = (await run_python.execute!(
      { code: 'get_user(id=1)\nsend_email(to="ada@example.com")\n1 / 0' },
      { toolCallId: "t", messages: [] },
    )) as RunPythonResult;
    expect(failed).toMatchObject({
      ok: false,
      error: { type: "ZeroDivisionError" },
      effects: [
        { tool: "send_email", args: { to: "ada@example.com" }, ok: true, result: "sent", seq: 2 },
      ],
    });
    expect(sent).toEqual(["ada@example.com"]);
  });

  it("a side effect that failed is listed with its type and message, never the host's stack", async () => {
    const charge = defineTool({
      name: "charge",
      parameters: z.object({ cents: z.number() }),
      execute: () => {
        throw new Error("card declined");
      },
    });
    const run_python = codeModeTool({ tools: [charge], isolation: "in-process" });
    const failed = (await run_python.execute!(
      { code: "charge(cents=500)" },
      { toolCallId: "t", messages: [] },
    )) as RunPythonResult;
    expect((failed as { effects?: unknown }).effects).toEqual([
      {
        tool: "charge",
        args: { cents: 500 },
        ok: false,
        error: { type: "RuntimeError", message: "card declined" },
        seq: 1,
      },
    ]);
    expect(JSON.stringify(failed)).not.toContain("code-mode-tool.test.ts");
  });

  it("returns runtime errors, printed output and failed calls compactly", async () => {
    const flaky = defineTool({
      name: "flaky",
      parameters: z.object({ n: z.number().int() }),
      execute: ({ n }) => {
        if (n === 2) throw new Error("backend unavailable");
        return n;
      },
    });
    const run_python = codeModeTool({
      tools: [flaky],
      isolation: "in-process",
      maxValueChars: 100,
    });
    const exec = run_python.execute!;
    const opts = { toolCallId: "t", messages: [] };
    const caught = (await exec(
      {
        code: 'out = []\nfor i in [1, 2, 3]:\n    try:\n        out.append(flaky(i))\n    except Exception as e:\n        print("skip", i, e)\nout',
      },
      opts,
    )) as RunPythonResult;
    expect(caught).toEqual({
      ok: true,
      value: [1, 3],
      output: "skip 2 backend unavailable\n",
      toolCalls: {
        count: 3,
        byTool: { flaky: 3 },
        failed: [
          {
            seq: 2,
            name: "flaky",
            error: { type: "RuntimeError", message: "backend unavailable" },
          },
        ],
      },
    });
    const crash = (await exec({ code: "x = 1\ny = x / 0\ny" }, opts)) as RunPythonResult;
    expect(crash).toMatchObject({ ok: false, error: { type: "ZeroDivisionError", line: 2 } });
    const big = (await exec({ code: '"x" * 500' }, opts)) as RunPythonResult;
    expect(big.ok).toBe(true);
    expect("value" in big).toBe(false);
    expect(big.ok && big.valuePreview).toHaveLength(100);
    expect(big.ok && big.note).toMatch(
      /The result is 502 characters of JSON; .*Return a smaller value/,
    );
  });

  it("stops the program and its tools when the loop is aborted", async () => {
    let sawAbort = false;
    let running = false;
    const slow = tool({
      inputSchema: z.object({}),
      execute: (_input, { abortSignal }) =>
        new Promise<string>((resolve) => {
          abortSignal?.addEventListener("abort", () => {
            sawAbort = true;
            resolve("stopped");
          });
          running = true;
        }),
    });
    const { model } = scriptedModel([() => [runPython("c1", "slow()")], () => []]);
    const controller = new AbortController();
    // The caller gives up once the program is inside the tool call.
    void vi
      .waitFor(() => expect(running).toBe(true), { timeout: 10_000, interval: 10 })
      .then(() => controller.abort());
    const started = Date.now();
    await expect(
      generateText({
        model,
        tools: { run_python: codeModeTool({ tools: { slow } }) },
        stopWhen: stepCountIs(3),
        prompt: "go",
        abortSignal: controller.signal,
      }),
    ).rejects.toThrow(/abort/i);
    expect(sawAbort).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("works in streamText too", async () => {
    userCalls.length = 0;
    let step = 0;
    const model = new MockLanguageModelV3({
      doStream: async (options) => {
        step += 1;
        const finish: LanguageModelV3StreamPart = {
          type: "finish",
          finishReason: { unified: step === 1 ? "tool-calls" : "stop", raw: undefined },
          usage,
        };
        const body: LanguageModelV3StreamPart[] =
          step === 1
            ? [
                {
                  type: "tool-call",
                  toolCallId: "s1",
                  toolName: "run_python",
                  input: JSON.stringify({ code: '[get_user(i)["name"] for i in [1, 3]]' }),
                },
              ]
            : [
                { type: "text-start", id: "t" },
                { type: "text-delta", id: "t", delta: JSON.stringify(toolResults(options)[0]) },
                { type: "text-end", id: "t" },
              ];
        const chunks: LanguageModelV3StreamPart[] = [
          { type: "stream-start", warnings: [] },
          ...body,
          finish,
        ];
        return {
          stream: new ReadableStream<LanguageModelV3StreamPart>({
            start(controller) {
              for (const chunk of chunks) controller.enqueue(chunk);
              controller.close();
            },
          }),
        };
      },
    });
    const result = streamText({
      model,
      tools: { run_python: codeModeTool({ tools: [getUser], isolation: "in-process" }) },
      stopWhen: stepCountIs(3),
      prompt: "Names of users 1 and 3?",
    });
    expect(JSON.parse(await result.text)).toEqual({
      ok: true,
      value: ["Ada", "Edsger"],
      toolCalls: { count: 2, byTool: { get_user: 2 } },
    });
    expect(userCalls).toEqual([1, 3]);
  });
});
