/**
 * `CodeModeAgent`: the model writes a Python program, the sandbox runs it against the
 * tools, and a failure goes back to the model for another attempt. A port of Flyte's
 * `CodeModeAgent` (names in camelCase).
 */
import { ContinuationError, ConversationStateError, InvalidOptionsError } from "../errors.js";
import { decideEvery } from "../execute/call-policy.js";
import { checkResumable } from "../execute/resume.js";
import type { ApprovalDecision } from "../execute/types.js";
import type { ChatMessage, UsageTotals } from "../llm/types.js";
import { LiveToolSet } from "../tools/define/tool-set.js";
import { withToolDiscovery } from "../tools/discovery/discovery-tools.js";
import { pythonDocstring, pythonSignatures } from "../tools/python/signature.js";
import type { Tool } from "../tools/types.js";
import { inChatSpan, recordChatReply } from "../tracing/agent-spans.js";
import { openContinuation, runToolsFingerprint, sealContinuation } from "./continuation.js";
import {
  boundConversationState,
  type ConversationState,
  checkConversationState,
  conversationStateNote,
  sealConversationState,
} from "./conversation-state.js";
import { emitEvent, stateRefused } from "./events.js";
import { type ResolvedAgentOptions, resolveAgentOptions } from "./options.js";
import { buildSystemPrompt, resolveToolListing } from "./prompt.js";
import { AgentRun, initialState, type LoopContext } from "./run-loop.js";
import type { AgentEvent, AgentResult, AgentRunOptions, CodeModeAgentOptions } from "./types.js";

export { DEFAULT_MAX_OBSERVATION_BYTES, DEFAULT_MODEL } from "./options.js";

export interface ToolDescription {
  name: string;
  signature: string;
  description: string;
}

export class CodeModeAgent {
  readonly model: string;
  readonly maxRetries: number;
  /** 1: one program (retried on failure); more: the turn loop (see `CodeModeAgentOptions`). */
  readonly maxTurns: number;
  readonly maxObservationBytes: number;
  /** Why the prompt may not be what you expect (e.g. a full listing past its budget). */
  readonly warnings: string[] = [];
  private readonly toolSource: LiveToolSet;
  private prompt:
    | { tools: readonly Tool[]; day: string; listing: "full" | "compact"; text: string }
    | undefined;
  private readonly options: ResolvedAgentOptions;

  constructor(options: CodeModeAgentOptions) {
    const resolved = resolveAgentOptions(options);
    this.options = resolved;
    this.model = resolved.model;
    this.maxRetries = resolved.maxRetries;
    this.maxTurns = resolved.maxTurns;
    this.maxObservationBytes = resolved.maxObservationBytes;
    this.toolSource = new LiveToolSet(options.tools ?? []);
    void this.systemPrompt; // built now, so a bad tool or skill throws here
  }

  /**
   * The tools as they are now: read again from `options.tools` when it changed (a live
   * `mcpTools()` set after `tools/list_changed`), so each program sees the current set.
   */
  get tools(): readonly Tool[] {
    return this.toolSource.current();
  }

  /** What the prompt lists of the tools: every signature (`"full"`) or names (`"compact"`). */
  get toolListing(): "full" | "compact" {
    return this.currentPrompt().listing;
  }

  /** The system prompt, rebuilt when the tools changed. */
  get systemPrompt(): string {
    return this.currentPrompt().text;
  }

  private currentPrompt(): { listing: "full" | "compact"; text: string } {
    const tools = this.tools;
    const now = this.today();
    const day = now.toISOString().slice(0, 10);
    if (this.prompt?.tools === tools && this.prompt.day === day) return this.prompt;
    const { listing, warning } = resolveToolListing({
      tools,
      toolListing: this.options.toolListing,
      maxTurns: this.maxTurns,
      budget: this.options.toolListingBudget,
    });
    if (warning !== undefined && !this.warnings.includes(warning)) {
      this.warnings.push(warning);
      console.warn(warning);
    }
    const text = buildSystemPrompt({
      prefix: this.options.systemPromptPrefix,
      tools,
      skills: this.options.skills,
      maxTurns: this.maxTurns,
      toolListing: listing,
      typeCheck: this.options.typeCheck,
      now,
    });
    this.prompt = { tools, day, listing, text };
    return this.prompt;
  }

  /** The date the prompt gives as today: `options.now`, else the clock. */
  private today(): Date {
    const now = this.options.now;
    const date = typeof now === "function" ? now() : (now ?? new Date());
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      throw new InvalidOptionsError(
        `now must be a valid Date or a function returning one (got ${String(date)}).`,
      );
    }
    return date;
  }

  /** JSON-friendly metadata of every tool: name, Python signature, first docstring paragraph. */
  toolDescriptions(): ToolDescription[] {
    const signatures = pythonSignatures(this.tools);
    return this.tools.map((tool, i) => ({
      name: tool.name,
      signature: signatures[i]!,
      description:
        pythonDocstring(tool)
          .split(/\n\s*\n/)[0]
          ?.trim() ?? "",
    }));
  }

  /** True when any tool is marked durable (`durableTool`). Flyte's `uses_flyte_tools`. */
  usesDurableTools(): boolean {
    return this.tools.some((tool) => tool.durable !== undefined);
  }

  /**
   * Answers `message`: the model writes a program, the sandbox runs it, a failure goes back
   * for a fix; with `maxTurns > 1`, a look goes back too and the model goes on. Never
   * rejects for model or code errors: they end in `status: "failed"` with `error`. A call
   * that needs approval without `onApproval` ends it `status: "suspended"` (see `resume`).
   */
  async run(
    message: string,
    history: readonly ChatMessage[] = [],
    options: AgentRunOptions = {},
  ): Promise<AgentResult> {
    if (typeof message !== "string") {
      throw new InvalidOptionsError("agent.run(message) needs the user's message as a string.");
    }
    const chatId = options.chatId;
    if (chatId !== undefined && typeof chatId !== "string") {
      throw new InvalidOptionsError("chatId must be a string that identifies the chat.");
    }
    const past = validHistory(history);
    // The conversation's variables: only the turn loop keeps and uses them.
    let state: ConversationState | undefined;
    let stateError: ConversationStateError | undefined;
    if (this.options.loop && options.state !== undefined) {
      try {
        state = boundConversationState(
          checkConversationState(options.state, chatId, {
            secret: this.options.continuation.secret,
            toolNames: new Set(this.tools.map((t) => t.name)),
          }),
          this.options.maxStateBytes,
          chatId,
        );
      } catch (error) {
        if (!(error instanceof ConversationStateError)) throw error;
        stateError = error;
        emitEvent(
          options.onEvent,
          stateRefused(error, { attempt: 1, maxAttempts: this.options.maxAttempts, turn: 1 }),
        );
      }
    }
    const note = state ? conversationStateNote(state) : undefined;
    const messages: ChatMessage[] = [
      ...past,
      { role: "user", content: note ? `${message}\n\n${note}` : message },
    ];
    const ls = initialState(messages);
    if (state) {
      ls.programState = state;
      ls.startState = state;
    }
    if (chatId !== undefined) ls.chatId = chatId;
    return new AgentRun(this.loopContext(), ls, options, stateError).drive({ kind: "start" });
  }

  /**
   * `result.state` as one signed string (with `continuations.secret`), for a caller that must
   * hand the conversation's state to someone else and take it back (a client, a durable
   * run's input): `run(message, history, { state: sealed, chatId })` reads only a string
   * this agent's secret signed, bound to the chat the state was made in.
   */
  sealState(state: ConversationState): string {
    const checked = checkConversationState(state, state?.chatId, {
      secret: this.options.continuation.secret,
      toolNames: new Set(),
    });
    return sealConversationState(
      { ...checked, ...(state.chatId !== undefined ? { chatId: state.chatId } : {}) },
      this.options.continuation.secret,
    );
  }

  /**
   * Continues a suspended run (`result.continuation`) with a decision for each of its
   * `pendingApprovals`, by id: `true`, `false` or `{ approved: false, reason }`. Works in
   * another process, hours later, given the same tools and `continuations.secret`. Resolves
   * like `run()`, and may suspend again. Throws `ContinuationError` for a continuation that
   * was changed, made for other tools or already resumed; nothing runs then.
   */
  async resume(
    continuation: string,
    decisions: Readonly<Record<string, ApprovalDecision>>,
    options: AgentRunOptions = {},
  ): Promise<AgentResult> {
    const opened = openContinuation(this.options.continuation, continuation);
    const decided = decideEvery(opened.suspended.approvals, decisions);
    if (!decided.ok) throw new InvalidOptionsError(`agent.resume(): ${decided.message}.`);
    // The tools the program had must be here as they were, before the continuation is
    // claimed: a refused one stays unclaimed, for an agent that has them.
    const names = opened.suspended.toolNames;
    if (runToolsFingerprint(this.resolvedTools(), names) !== opened.tools) {
      const have = new Set(this.resolvedTools().map((t) => t.name));
      const missing = names.filter((name) => !have.has(name));
      throw new ContinuationError(
        "tools",
        missing.length > 0
          ? `the suspended program had tools this agent does not have now (${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""}); resume it with an agent that has them (nothing ran, the continuation is not used up)`
          : "the tools the suspended program had are different here (a signature or description changed); resume it with an agent whose tools match (nothing ran, the continuation is not used up)",
      );
    }
    const { limits, continuation: keys } = this.options;
    checkResumable(opened.suspended, {
      ...(limits ? { limits } : {}),
      suspensionSecret: keys.sealKey,
    });
    if (!(await this.options.claimContinuation(opened.id))) {
      throw new ContinuationError("used", "this continuation was already resumed");
    }
    const ls = opened.loop;
    ls.elapsedMs = 0;
    return new AgentRun(this.loopContext(), ls, options).drive({
      kind: "resume",
      suspended: opened.suspended,
      decisions,
    });
  }

  /** The tools a program of this agent gets now: with the discovery builtins when compact. */
  private resolvedTools(): readonly Tool[] {
    const tools = this.tools;
    return this.toolListing === "compact" ? withToolDiscovery(tools) : tools;
  }

  private loopContext(): LoopContext {
    const agent = this;
    return {
      // Read per program: a tool set that changed mid-run shows from the next program on.
      get tools() {
        return agent.tools;
      },
      get toolDiscovery() {
        return agent.toolListing === "compact";
      },
      options: this.options,
      ask: (messages, usage, signal) => this.ask(messages, usage, signal),
      seal: (state, suspended) =>
        sealContinuation(
          this.options.continuation,
          state,
          suspended,
          runToolsFingerprint(this.resolvedTools(), suspended.toolNames),
        ),
    };
  }

  /** The same run as an async iterable of events, ending with `done`. */
  async *stream(
    message: string,
    history: readonly ChatMessage[] = [],
    options: Omit<AgentRunOptions, "onEvent"> = {},
  ): AsyncGenerator<AgentEvent, void, undefined> {
    const queue: AgentEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    // A consumer that stops iterating (break, return, throw) cancels the run behind it.
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    void this.run(message, history, {
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        queue.push(event);
        wake?.();
      },
    }).then(
      () => {
        finished = true;
        wake?.();
      },
      (error: unknown) => {
        failure = error;
        finished = true;
        wake?.();
      },
    );
    try {
      for (;;) {
        const event = queue.shift();
        if (event) {
          yield event;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      options.signal?.removeEventListener("abort", onCallerAbort);
      if (!finished) controller.abort(new Error("the stream's consumer stopped reading"));
    }
    if (failure !== undefined) throw failure;
  }

  /** One LLM call, in a `chat {model}` span with the GenAI attributes. */
  private async ask(
    messages: ChatMessage[],
    usage: UsageTotals,
    signal?: AbortSignal,
  ): Promise<string> {
    if (signal?.aborted) throw new Error("the run was cancelled");
    const { telemetry } = this.options;
    const request = { model: this.model, system: this.systemPrompt, messages, telemetry };
    return inChatSpan(request, async (span) => {
      const pending = Promise.resolve().then(() =>
        this.options.callLlm(this.model, this.systemPrompt, [...messages], { signal }),
      );
      // A callLlm that ignores its signal must not hold a cancelled run (or a server slot).
      const reply = signal ? await untilAborted(pending, signal) : await pending;
      const text = typeof reply === "string" ? reply : reply?.text;
      if (typeof text !== "string") {
        throw new Error("callLlm must resolve to a string or { text, usage? }");
      }
      let used: { input: number; output: number; cached?: number } | undefined;
      if (typeof reply === "object" && reply.usage) {
        const input = reply.usage.inputTokens ?? 0;
        const output = reply.usage.outputTokens ?? 0;
        usage.inputTokens += input;
        usage.outputTokens += output;
        usage.totalTokens += reply.usage.totalTokens ?? input + output;
        const cached = reply.usage.cachedInputTokens;
        if (cached !== undefined && cached > 0) {
          usage.cachedInputTokens = (usage.cachedInputTokens ?? 0) + cached;
        }
        used = { input, output, ...(cached !== undefined ? { cached } : {}) };
      }
      const finishReason = typeof reply === "object" ? reply.finishReason : undefined;
      recordChatReply(span, { text, usage: used, finishReason }, telemetry);
      return text;
    });
  }
}

function validHistory(history: readonly ChatMessage[]): ChatMessage[] {
  if (!Array.isArray(history)) {
    throw new InvalidOptionsError("history must be an array of { role, content } messages.");
  }
  return history.map((m, i) => {
    if (!m || (m.role !== "user" && m.role !== "assistant") || typeof m.content !== "string") {
      throw new InvalidOptionsError(
        `history[${i}] must be { role: "user" | "assistant", content: string }.`,
      );
    }
    return { role: m.role, content: m.content };
  });
}

/**
 * Waits for `promise`, but not long after `signal` aborts: a callLlm that honours the signal
 * settles at once (its own error wins); one that ignores it is given up on after a moment,
 * and its late settlement is swallowed.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, graceMs = 100): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => {
        promise.catch(() => undefined);
        reject(signal.reason ?? new Error("the run was cancelled"));
      }, graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    promise.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
