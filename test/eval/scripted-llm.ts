/**
 * A scripted model behind real HTTP servers speaking the OpenAI chat-completions and the
 * Anthropic messages protocols, for both kinds of request an evaluation makes:
 *
 * - code mode (no `tools` in the request): the next Python reply of the question's script,
 *   chosen by how many assistant turns the conversation already has;
 * - tool calling (`tools` in the request): the next step of the question's script, tool
 *   calls or the final text, again chosen by the assistant turns so far.
 *
 * Usage is what a provider would report: input tokens from the request's size (about four
 * characters a token) and output tokens from the reply's, and the server keeps what it
 * reported so a test can hold the report's totals against it.
 */
import {
  anthropicBody,
  type FakeServer,
  openAiChatBody,
  type RecordedRequest,
  startFakeServer,
} from "../llm/fake-servers.js";

type Calls = { name: string; input: Record<string, unknown> }[];

export interface ToolCallStep {
  /** The calls, or a function of the results of the previous step's calls (parsed JSON). */
  calls: Calls | ((previous: unknown[]) => Calls);
}

export interface QuestionScript {
  /** Code mode's replies, in order (each a reply text, usually with a ```python block). */
  code: string[];
  /** Tool calling's steps, in order: tool calls, then a final `{ text }`. */
  toolCalling: (ToolCallStep | { text: string })[];
}

export interface Reported {
  kind: "code-mode" | "tool-calling";
  question: string;
  inputTokens: number;
  /** Of `inputTokens`, those reported as read from the prompt cache (code mode only). */
  cachedInputTokens?: number;
  outputTokens: number;
}

export interface ScriptedLlm {
  server: FakeServer;
  /** Usage as reported, one entry per answered request. */
  reported: Reported[];
  close(): Promise<void>;
}

const tokens = (text: string) => Math.ceil(text.length / 4);

export async function startScriptedLlm(
  protocol: "openai" | "anthropic",
  scripts: Record<string, QuestionScript>,
): Promise<ScriptedLlm> {
  const reported: Reported[] = [];
  const server = await startFakeServer((request) => {
    const body = request.body as Record<string, unknown>;
    const messages = (body.messages ?? []) as { role: string; content: unknown }[];
    const question = firstUserText(messages);
    const script = scripts[question];
    if (!script) {
      return { status: 400, body: { error: { message: `no script for question ${question}` } } };
    }
    const turn = messages.filter((m) => m.role === "assistant").length;
    const inputTokens = tokens(JSON.stringify({ s: body.system, m: body.messages, t: body.tools }));
    const toolCalling = Array.isArray(body.tools) && body.tools.length > 0;
    if (!toolCalling) {
      const text = script.code[turn] ?? "I have no more code.";
      const outputTokens = tokens(text);
      // A system prompt marked for Anthropic's cache is read from it after the first turn.
      const system = (body.system ?? []) as { text?: string; cache_control?: unknown }[];
      const cachedInputTokens =
        protocol === "anthropic" && turn > 0 && system[0]?.cache_control !== undefined
          ? tokens(system[0].text ?? "")
          : 0;
      reported.push({ kind: "code-mode", question, inputTokens, cachedInputTokens, outputTokens });
      return { body: textBody(protocol, text, inputTokens, outputTokens, cachedInputTokens) };
    }
    const step = script.toolCalling[turn] ?? { text: "I am done." };
    if ("text" in step) {
      const outputTokens = tokens(step.text);
      reported.push({ kind: "tool-calling", question, inputTokens, outputTokens });
      return { body: textBody(protocol, step.text, inputTokens, outputTokens) };
    }
    const calls =
      typeof step.calls === "function"
        ? step.calls(lastToolResults(protocol, messages))
        : step.calls;
    const outputTokens = tokens(JSON.stringify(calls));
    reported.push({ kind: "tool-calling", question, inputTokens, outputTokens });
    return { body: toolCallBody(protocol, calls, turn, inputTokens, outputTokens) };
  });
  return { server, reported, close: () => server.close() };
}

/** The tool results at the end of the conversation, parsed from JSON, in call order. */
function lastToolResults(
  protocol: "openai" | "anthropic",
  messages: { role: string; content: unknown }[],
): unknown[] {
  const parse = (text: string) => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  if (protocol === "openai") {
    const out: unknown[] = [];
    for (let i = messages.length - 1; i >= 0 && messages[i]!.role === "tool"; i--) {
      out.unshift(parse(String(messages[i]!.content)));
    }
    return out;
  }
  const last = messages.at(-1);
  if (last?.role !== "user" || !Array.isArray(last.content)) return [];
  return last.content
    .filter((p: { type?: string }) => p.type === "tool_result")
    .map((p: { content?: unknown }) => {
      const c = p.content;
      if (typeof c === "string") return parse(c);
      if (Array.isArray(c)) return parse(c.map((x: { text?: string }) => x.text ?? "").join(""));
      return c;
    });
}

function firstUserText(messages: { role: string; content: unknown }[]): string {
  const user = messages.find((m) => m.role === "user");
  if (!user) return "";
  if (typeof user.content === "string") return user.content;
  if (Array.isArray(user.content)) {
    return user.content
      .map((p: { type?: string; text?: string }) => (p.type === "text" ? (p.text ?? "") : ""))
      .join("");
  }
  return "";
}

function textBody(
  protocol: "openai" | "anthropic",
  text: string,
  input: number,
  output: number,
  cached = 0,
) {
  return protocol === "openai"
    ? openAiChatBody(text, {
        prompt_tokens: input,
        completion_tokens: output,
        total_tokens: input + output,
      })
    : anthropicBody(text, {
        input_tokens: input - cached,
        output_tokens: output,
        ...(cached > 0 ? { cache_read_input_tokens: cached } : {}),
      } as { input_tokens: number; output_tokens: number });
}

/** The text answer's body with the content swapped for tool calls. */
function toolCallBody(
  protocol: "openai" | "anthropic",
  calls: Calls,
  turn: number,
  input: number,
  output: number,
) {
  const id = (i: number) => `call_${turn}_${i}`;
  if (protocol === "openai") {
    const body = textBody(protocol, "", input, output) as ReturnType<typeof openAiChatBody>;
    const tool_calls = calls.map((c, i) => ({
      id: id(i),
      type: "function",
      function: { name: c.name, arguments: JSON.stringify(c.input) },
    }));
    return {
      ...body,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: null, tool_calls },
          finish_reason: "tool_calls",
        },
      ],
    };
  }
  return {
    ...anthropicBody("", { input_tokens: input, output_tokens: output }),
    content: calls.map((c, i) => ({ type: "tool_use", id: id(i), name: c.name, input: c.input })),
    stop_reason: "tool_use",
  };
}

/** The requests of one kind, for assertions on what was sent. */
export function requestsOf(
  server: FakeServer,
  kind: "code-mode" | "tool-calling",
): RecordedRequest[] {
  return server.requests.filter((r) => {
    const tools = (r.body as { tools?: unknown[] }).tools;
    return kind === "tool-calling" ? Array.isArray(tools) && tools.length > 0 : !tools?.length;
  });
}
