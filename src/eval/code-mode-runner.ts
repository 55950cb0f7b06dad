/**
 * One task through `CodeModeAgent`: the model writes programs (looking first when it
 * wants, with `turns.maxTurns > 1`), and the run's numbers come from the `AgentResult` plus a
 * count of the LLM calls made through the client.
 */
import { CodeModeAgent } from "../agent/code-mode-agent.js";
import type { AgentResult } from "../agent/types.js";
import type { CallLlm, ChatMessage } from "../llm/types.js";
import type { Tool } from "../tools/types.js";
import type { EvalRun, TranscriptEntry } from "./types.js";

/** What a mode's runner measured; `evaluate()` grades the answer and adds the rest. */
export type ModeRunOutcome = Pick<
  EvalRun,
  | "answer"
  | "turns"
  | "retries"
  | "llmCalls"
  | "inputTokens"
  | "cachedInputTokens"
  | "outputTokens"
  | "durationMs"
  | "code"
> & { transcript: TranscriptEntry[] };

export interface CodeModeRunSettings {
  tools: readonly Tool[];
  model: string;
  callLlm: CallLlm;
  maxTurns: number;
  maxRetries?: number;
  signal?: AbortSignal;
}

export async function runCodeMode(
  question: string,
  settings: CodeModeRunSettings,
): Promise<ModeRunOutcome> {
  let llmCalls = 0;
  // The last conversation sent and the reply to it: the whole run's transcript, since each
  // call resends everything before it.
  let lastSent: { system: string; messages: ChatMessage[] } | undefined;
  let lastReply: string | undefined;
  const callLlm: CallLlm = async (model, system, messages, options) => {
    llmCalls++;
    lastSent = { system, messages: [...messages] };
    lastReply = undefined;
    const reply = await settings.callLlm(model, system, messages, options);
    lastReply = typeof reply === "string" ? reply : reply.text;
    return reply;
  };
  const agent = new CodeModeAgent({
    tools: settings.tools,
    model: settings.model,
    callLlm,
    turns: {
      maxTurns: settings.maxTurns,
      ...(settings.maxRetries !== undefined ? { maxRetries: settings.maxRetries } : {}),
    },
  });
  const result: AgentResult = await agent.run(
    question,
    [],
    settings.signal ? { signal: settings.signal } : {},
  );
  const transcript: TranscriptEntry[] = [];
  if (lastSent) {
    transcript.push({ role: "system", content: lastSent.system });
    for (const m of lastSent.messages) transcript.push({ role: m.role, content: m.content });
    if (lastReply !== undefined) transcript.push({ role: "assistant", content: lastReply });
  }
  return {
    answer: {
      mode: "code-mode",
      text: result.status === "done" ? result.summary : "",
      value: result.value,
      charts: result.charts,
      toolCalls: result.toolCalls.map((c) => ({
        name: c.name,
        args: c.args,
        ok: c.ok,
        ...(c.ok ? { result: c.result } : {}),
        ...(c.error ? { error: c.error } : {}),
        durationMs: c.durationMs,
      })),
      error: result.error,
    },
    turns: result.turns.length,
    // Programs run beyond one per turn: rewrites after a failure.
    retries: result.turns.reduce((n, t) => n + Math.max(0, t.attempts - 1), 0),
    llmCalls,
    inputTokens: result.usage.inputTokens,
    cachedInputTokens: result.usage.cachedInputTokens ?? 0,
    outputTokens: result.usage.outputTokens,
    durationMs: result.durationMs,
    code: result.code,
    transcript,
  };
}
