/**
 * `createDurableService`: a Restate workflow (default name `codemode`) whose `run` handler
 * is one agent run, keyed by a run id. Every LLM call and tool call is a journaled step,
 * so a run survives the death of its worker: Restate retries the handler on a live worker,
 * which replays the journal and carries on from the first step that had not completed.
 */
import "./polyfill.js";
import type {
  WorkflowContext,
  WorkflowDefinition,
  WorkflowSharedContext,
} from "@restatedev/restate-sdk";
import { CodeModeAgent } from "../agent/code-mode-agent.js";
import type { AgentEvent, AgentResult, CodeModeAgentOptions } from "../agent/types.js";
import { InvalidOptionsError } from "../errors.js";
import { createCallLlm } from "../llm/default-call-llm.js";
import type { ChatMessage } from "../llm/types.js";
import { toJsonSafe } from "../sandbox/values.js";
import { normalizeTools } from "../tools/define/tool-set.js";
import type { Tool } from "../tools/types.js";
import {
  type DurableVerdict,
  parseApproveInput,
  pendingInProgress,
  requestedInProgress,
} from "./approvals.js";
import { PROGRESS_KEY, RunJournal } from "./run-journal.js";
import { inDurableRunSpan } from "./trace-link.js";

export const DEFAULT_DURABLE_SERVICE = "codemode";

/** What the `run` handler takes. */
export interface DurableRunInput {
  message: string;
  history?: ChatMessage[];
  /**
   * The conversation so far: the previous run's `result.state`, sealed by a worker with the
   * same `continuations.secret`. A state that does not check out is refused (the run starts
   * without it and says so in `result.stateError`).
   */
  state?: string;
  /** The chat the state is bound to. */
  chatId?: string;
}

export interface DurableServiceOptions extends CodeModeAgentOptions {
  /** The workflow's name (the URL path on the ingress). Default `"codemode"`. */
  name?: string;
  /**
   * How Restate retries the handler after a crash or a lost worker. Default: first retry
   * after 100 ms, doubling up to 2 s, without a limit on attempts.
   */
  retryPolicy?: {
    initialIntervalMs?: number;
    maxIntervalMs?: number;
    maxAttempts?: number;
  };
  /**
   * Time without journal progress before Restate suspends a run and retries it. An LLM
   * call counts as no progress, so this must exceed your slowest model reply. Default 10 min.
   */
  inactivityTimeoutMs?: number;
  /** How long Restate keeps a finished run's result (re-running its id returns it). Default 1 day. */
  retentionMs?: number;
}

/** The Restate definition to bind to an endpoint (`serveDurable` does it for you). */
export type DurableServiceDefinition = WorkflowDefinition<
  string,
  {
    run: (ctx: WorkflowContext, input: DurableRunInput) => Promise<unknown>;
    progress: (ctx: WorkflowSharedContext) => Promise<unknown>;
    approve: (ctx: WorkflowSharedContext, input: unknown) => Promise<unknown>;
  }
>;

export async function createDurableService(
  options: DurableServiceOptions,
): Promise<DurableServiceDefinition> {
  const name = checkServiceOptions(options);
  const tools = normalizeTools(options.tools ?? []);
  // Fail at start-up, not on the first run: this throws on bad options.
  new CodeModeAgent({ ...agentOptions(options), tools });
  const restate = await import("@restatedev/restate-sdk");
  return restate.workflow({
    name,
    handlers: {
      run: runHandler(restate, name, options, tools),
      // The run's progress events so far (generating_code, code_generated, executing,
      // tool_call, retrying), for clients that show a run as it goes.
      progress: restate.handlers.workflow.shared(
        async (ctx: WorkflowSharedContext): Promise<unknown> =>
          (await ctx.get<unknown[]>(PROGRESS_KEY)) ?? [],
      ),
      // Decides a call the run waits on: { key, approved, reason? }, the key being the id
      // of an approval_requested event in the progress. Resolves that call's promise.
      approve: restate.handlers.workflow.shared(approveHandler(restate)),
    },
    options: workflowOptions(options),
  }) as DurableServiceDefinition;
}

/** The Restate SDK, loaded when the first service is made. */
type RestateSdk = typeof import("@restatedev/restate-sdk");

/** The workflow's name, once the options are known to be usable here. */
function checkServiceOptions(options: DurableServiceOptions): string {
  if (!options || typeof options !== "object") {
    throw new InvalidOptionsError("createDurableService({ tools, ... }) needs an options object.");
  }
  const { name = DEFAULT_DURABLE_SERVICE } = options;
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new InvalidOptionsError(
      `Service name "${name}" is not valid for Restate: use letters, digits, _, - and . only.`,
    );
  }
  if (options.onApproval !== undefined || options.approvals?.onApproval !== undefined) {
    throw new InvalidOptionsError(
      "createDurableService() takes no onApproval: a durable run waits for each approval on a Restate promise, decided with client.approve(runId, key, decision) or POST /<service>/<runId>/approve (see docs/durable.md).",
    );
  }
  return name;
}

/**
 * The `run` handler: one agent run per run id, made afresh on every attempt (a replay
 * included), whose LLM calls, tool calls and approvals go through the run's journal.
 */
function runHandler(
  restate: RestateSdk,
  name: string,
  options: DurableServiceOptions,
  tools: readonly Tool[],
): (ctx: WorkflowContext, input: DurableRunInput) => Promise<unknown> {
  const toolTimeoutMs = (options.sandbox?.limits ?? options.limits)?.toolTimeoutMs;
  return async (ctx, input) => {
    const { message, history, state, chatId } = checkInput(input, restate.TerminalError);
    return inDurableRunSpan(ctx, name, async () => {
      const journal = new RunJournal(
        ctx,
        ctx.key,
        (values) => restate.RestatePromise.race(values),
        {
          ...(toolTimeoutMs !== undefined ? { toolTimeoutMs } : {}),
        },
      );
      const agent = journaledAgent(options, tools, journal, ctx.key);
      const result: AgentResult = await agent.run(message, history, {
        onEvent: journal.onEvent,
        signal: journal.cancelled,
        ...(state !== undefined ? { state } : {}),
        ...(chatId !== undefined ? { chatId } : {}),
      });
      if (journal.cancelled.aborted) {
        throw new restate.TerminalError(`Run ${ctx.key} was cancelled.`, { errorCode: 409 });
      }
      return sealedResult(agent, result);
    });
  };
}

/** The run's agent: the service's options, with every call it makes journaled. */
function journaledAgent(
  options: DurableServiceOptions,
  tools: readonly Tool[],
  journal: RunJournal,
  runId: string,
): CodeModeAgent {
  return new CodeModeAgent({
    ...agentOptions(options),
    // The agent's spans carry the run id too.
    telemetry: {
      ...options.telemetry,
      attributes: { ...options.telemetry?.attributes, "codemode.run_id": runId },
    },
    tools: journal.wrapTools(tools),
    // The default client is made per run, so a replay: model starts each run afresh.
    callLlm: journal.wrapCallLlm(options.callLlm ?? createCallLlm({ maxOutputTokens: 8192 })),
    // A call that needs approval waits on a workflow promise (see `approve`).
    approvals: { ...options.approvals, onApproval: journal.onApproval },
  });
}

/**
 * The result leaves as JSON: big integers and bytes become JSON-safe forms. The
 * conversation's state holds Python values: it leaves sealed (signed, bound to the chat),
 * the same string on every replay, and comes back as the next run's input.
 */
function sealedResult(agent: CodeModeAgent, result: AgentResult): unknown {
  const { state: kept, stateError, ...rest } = result;
  return toJsonSafe({
    ...rest,
    ...(kept ? { state: agent.sealState(kept) } : {}),
    ...(stateError ? { stateError: stateError.toJSON() } : {}),
  });
}

/**
 * The `approve` handler. A key the run never asked for (404) or asked and had decided (409)
 * is refused without touching the promise, so a stray or repeated decision changes nothing.
 */
function approveHandler(
  restate: RestateSdk,
): (ctx: WorkflowSharedContext, input: unknown) => Promise<unknown> {
  return async (ctx, input) => {
    const parsed = parseApproveInput(input);
    if (!parsed.ok) {
      throw new restate.TerminalError(`Bad approval: ${parsed.message}.`, { errorCode: 400 });
    }
    const { key, verdict } = parsed;
    const progress = (await ctx.get<AgentEvent[]>(PROGRESS_KEY)) ?? [];
    if (!requestedInProgress(progress, key)) {
      const pending = pendingInProgress(progress).map((a) => `${a.id} (${a.tool})`);
      throw new restate.TerminalError(
        `Run ${ctx.key} has no approval ${key}; ${pending.length > 0 ? `it waits on ${pending.join(", ")}` : "it waits on no approval"}`,
        { errorCode: 404 },
      );
    }
    const promise = ctx.promise<DurableVerdict>(key);
    if ((await promise.peek()) !== undefined) {
      throw new restate.TerminalError(`Approval ${key} of run ${ctx.key} was already decided`, {
        errorCode: 409,
      });
    }
    await promise.resolve(verdict);
    return { key, ...verdict };
  };
}

/** Restate's retry, inactivity and retention settings, with the defaults the docs give. */
function workflowOptions(options: DurableServiceOptions) {
  const { retryPolicy, inactivityTimeoutMs, retentionMs } = options;
  return {
    retryPolicy: {
      initialInterval: retryPolicy?.initialIntervalMs ?? 100,
      maxInterval: retryPolicy?.maxIntervalMs ?? 2_000,
      exponentiationFactor: 2,
      ...(retryPolicy?.maxAttempts !== undefined ? { maxAttempts: retryPolicy.maxAttempts } : {}),
    },
    inactivityTimeout: inactivityTimeoutMs ?? 10 * 60_000,
    workflowRetention: retentionMs ?? 24 * 3_600_000,
  };
}

/** A program's wall-clock limit in durable runs unless `sandbox.limits.timeoutMs` is given. */
export const DURABLE_RUN_TIMEOUT_MS = 10 * 60_000;

function agentOptions(options: DurableServiceOptions): CodeModeAgentOptions {
  const {
    name: _n,
    retryPolicy: _r,
    inactivityTimeoutMs: _i,
    retentionMs: _t,
    limits,
    sandbox,
    ...rest
  } = options;
  if (limits !== undefined && sandbox?.limits !== undefined && limits !== sandbox.limits) {
    throw new InvalidOptionsError(
      "sandbox.limits and limits are both set, to different values: keep sandbox.limits (limits is its deprecated alias) and remove limits.",
    );
  }
  // The program's clock includes waiting for tool steps, which a replay answers at once: a
  // run timeout that fired the first time would not fire on the replay, and the journal
  // would no longer match. So the clock is long here; each tool's own timeout is journaled.
  return {
    ...rest,
    sandbox: {
      ...sandbox,
      limits: { timeoutMs: DURABLE_RUN_TIMEOUT_MS, ...(sandbox?.limits ?? limits ?? {}) },
    },
  };
}

function checkInput(
  input: unknown,
  Terminal: new (message: string, options?: { errorCode?: number }) => Error,
): { message: string; history: ChatMessage[]; state?: string; chatId?: string } {
  const value = (input ?? {}) as {
    message?: unknown;
    history?: unknown;
    state?: unknown;
    chatId?: unknown;
  };
  for (const key of ["state", "chatId"] as const) {
    if (value[key] !== undefined && typeof value[key] !== "string") {
      throw new Terminal(
        `"${key}" must be a string (the previous run's result.state, as it was).`,
        {
          errorCode: 400,
        },
      );
    }
  }
  if (typeof value.message !== "string") {
    throw new Terminal('The run input must be { "message": string, "history"?: [...] }.', {
      errorCode: 400,
    });
  }
  const history = value.history ?? [];
  if (
    !Array.isArray(history) ||
    !history.every(
      (m: unknown) =>
        typeof m === "object" &&
        m !== null &&
        ((m as ChatMessage).role === "user" || (m as ChatMessage).role === "assistant") &&
        typeof (m as ChatMessage).content === "string",
    )
  ) {
    throw new Terminal('"history" must be a list of { "role": "user" | "assistant", "content" }.', {
      errorCode: 400,
    });
  }
  return {
    message: value.message,
    history: history as ChatMessage[],
    ...(typeof value.state === "string" ? { state: value.state } : {}),
    ...(typeof value.chatId === "string" ? { chatId: value.chatId } : {}),
  };
}
