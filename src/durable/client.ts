/**
 * The caller's side of durable runs: submit a run to Restate's ingress under a run id and
 * wait for its result. Re-submitting a run id never starts a second run: it returns (or
 * waits for) the first one's result, so a client that crashed can simply ask again.
 */
import { randomUUID } from "node:crypto";
import type { AgentEvent, AgentResult } from "../agent/types.js";
import { InvalidOptionsError } from "../errors.js";
import { checkDecision } from "../execute/call-policy.js";
import type { ApprovalDecision, ApprovalRequest } from "../execute/types.js";
import type { ChatMessage } from "../llm/types.js";
import { causeText, trimSlash } from "./admin.js";
import { type DurableVerdict, parseApproveInput, pendingInProgress } from "./approvals.js";
import { DurableRunError, RestateUnavailableError } from "./errors.js";
import { DEFAULT_DURABLE_SERVICE } from "./service.js";

export interface DurableClientOptions {
  /** Restate's ingress, e.g. `http://localhost:8080`. */
  ingressUrl: string;
  /** The workflow name the worker serves. Default `"codemode"`. */
  service?: string;
  /** Extra headers for every request (e.g. an API gateway's auth). */
  headers?: Record<string, string>;
}

/**
 * A durable run's result: an `AgentResult` as JSON, whose `state` (with the turn loop on) is
 * sealed, signed with the worker's `continuationSecret` (`agent.sealState()`): pass it back
 * as the next run's `state` to go on from it.
 */
export type DurableRunResult = Omit<AgentResult, "state"> & { state?: string };

/** A run's conversation: the previous run's sealed `state`, and the chat it belongs to. */
export interface DurableConversationOptions {
  /** The previous run's `result.state` (a sealed string), as it was. */
  state?: string;
  /** The chat the state is bound to. */
  chatId?: string;
}

export interface DurableRunOptions extends DurableConversationOptions {
  /** The run's id; a run id runs once. Default: a random UUID. */
  runId?: string;
  /** Stops waiting (the run itself goes on in Restate; see `cancel`). */
  signal?: AbortSignal;
}

export interface SubmittedRun {
  runId: string;
  invocationId: string;
  /** `"PreviouslyAccepted"` when the run id had been submitted before. */
  status: "Accepted" | "PreviouslyAccepted" | string;
}

export interface DurableClient {
  /** Submits (or re-attaches to) run `runId` and resolves with its result. */
  run(
    message: string,
    history?: readonly ChatMessage[],
    options?: DurableRunOptions,
  ): Promise<DurableRunResult & { runId: string }>;
  /** Starts a run without waiting for it. */
  submit(
    message: string,
    history?: readonly ChatMessage[],
    options?: { runId?: string } & DurableConversationOptions,
  ): Promise<SubmittedRun>;
  /** Waits for the result of a submitted run. */
  result(runId: string, options?: { signal?: AbortSignal }): Promise<DurableRunResult>;
  /**
   * The run's progress so far: `generating_code`, `code_generated`, `executing`,
   * `tool_call` and `retrying` events (results arrive with `result`).
   */
  progress(runId: string): Promise<AgentEvent[]>;
  /**
   * The calls run `runId` waits on for a decision, from its progress; each `id` is the key
   * to pass to `approve` (`approval-<program>-<seq>`, the same on every replay).
   */
  pendingApprovals(runId: string): Promise<ApprovalRequest[]>;
  /**
   * Decides a call the run waits on: `true`, `false` or `{ approved, reason }`. Rejects
   * with `InvalidOptionsError` for a malformed decision (nothing is sent), and with a
   * `DurableRunError` of status 404 when the run has no such approval, 409 when it was
   * already decided.
   */
  approve(
    runId: string,
    key: string,
    decision: ApprovalDecision,
  ): Promise<{ key: string } & DurableVerdict>;
}

export function createDurableClient(options: DurableClientOptions): DurableClient {
  if (
    !options ||
    typeof options.ingressUrl !== "string" ||
    !/^https?:\/\//.test(options.ingressUrl)
  ) {
    throw new InvalidOptionsError(
      'createDurableClient({ ingressUrl }) needs the Restate ingress URL, e.g. "http://localhost:8080".',
    );
  }
  const ingress = trimSlash(options.ingressUrl);
  const service = options.service ?? DEFAULT_DURABLE_SERVICE;
  const headers = { ...(options.headers ?? {}) };

  const request = async (
    path: string,
    init: RequestInit,
    what: string,
  ): Promise<{ status: number; body: unknown }> => {
    let response: Response;
    try {
      response = await fetch(`${ingress}${path}`, {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
      });
    } catch (error) {
      if ((init.signal as AbortSignal | undefined)?.aborted) throw error;
      throw new RestateUnavailableError(
        `Could not reach the Restate ingress at ${ingress} to ${what} (${causeText(error)}). Is restate-server running, and is this its ingress port (default 8080)?`,
        { cause: error },
      );
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    if (!response.ok) {
      const message = (body as { message?: unknown } | null)?.message ?? text;
      const hint =
        response.status === 404 && /service/i.test(String(message))
          ? ` Is a worker serving "${service}" registered with this Restate server (codemode worker --register)?`
          : "";
      throw new DurableRunError(
        `Restate answered HTTP ${response.status} when asked to ${what}: ${String(message).slice(0, 500).replace(/\.+$/, "")}.${hint}`,
        { status: response.status },
      );
    }
    return { status: response.status, body };
  };

  const submit: DurableClient["submit"] = async (message, history = [], submitOptions = {}) => {
    if (typeof message !== "string") {
      throw new InvalidOptionsError("run(message) needs the user's message as a string.");
    }
    const runId = submitOptions.runId ?? randomUUID();
    checkRunId(runId);
    const { body } = await request(
      `/${encodeURIComponent(service)}/${encodeURIComponent(runId)}/run/send`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          message,
          history: [...history],
          ...(submitOptions.state !== undefined ? { state: submitOptions.state } : {}),
          ...(submitOptions.chatId !== undefined ? { chatId: submitOptions.chatId } : {}),
        }),
      },
      `start run ${runId}`,
    );
    const sent = (body ?? {}) as { invocationId?: string; status?: string };
    return { runId, invocationId: String(sent.invocationId ?? ""), status: String(sent.status) };
  };

  const result: DurableClient["result"] = async (runId, resultOptions = {}) => {
    checkRunId(runId);
    for (;;) {
      try {
        return await attach(runId, resultOptions.signal);
      } catch (error) {
        // Node's fetch gives up on a response after 5 minutes; a durable run may take longer
        // (or wait for a worker to come back). Attaching again is always safe.
        if (!isHeadersTimeout(error) || resultOptions.signal?.aborted) throw error;
      }
    }
  };

  const attach = async (
    runId: string,
    signal: AbortSignal | undefined,
  ): Promise<DurableRunResult> => {
    const { body } = await request(
      `/restate/workflow/${encodeURIComponent(service)}/${encodeURIComponent(runId)}/attach`,
      { method: "GET", ...(signal ? { signal } : {}) },
      `wait for run ${runId}`,
    );
    if (!body || typeof body !== "object") {
      throw new DurableRunError(`Run ${runId} returned something that is not an AgentResult.`);
    }
    return body as DurableRunResult;
  };

  const progress: DurableClient["progress"] = async (runId) => {
    checkRunId(runId);
    const { body } = await request(
      `/${encodeURIComponent(service)}/${encodeURIComponent(runId)}/progress`,
      { method: "POST" },
      `read the progress of run ${runId}`,
    );
    return Array.isArray(body) ? (body as AgentEvent[]) : [];
  };

  const approve: DurableClient["approve"] = async (runId, key, decision) => {
    checkRunId(runId);
    const verdict = checkDecision(decision);
    if (typeof verdict === "string") {
      throw new InvalidOptionsError(`approve(runId, key, decision): ${verdict}.`);
    }
    const parsed = parseApproveInput({ key, ...verdict });
    if (!parsed.ok)
      throw new InvalidOptionsError(`approve(runId, key, decision): ${parsed.message}.`);
    const { body } = await request(
      `/${encodeURIComponent(service)}/${encodeURIComponent(runId)}/approve`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key, ...parsed.verdict }),
      },
      `decide approval ${key} of run ${runId}`,
    );
    return { key, ...parsed.verdict, ...((body ?? {}) as object) };
  };

  return {
    submit,
    result,
    progress,
    approve,
    pendingApprovals: async (runId) => pendingInProgress(await progress(runId)),
    async run(message, history = [], runOptions = {}) {
      const { runId } = await submit(message, history, {
        ...(runOptions.runId !== undefined ? { runId: runOptions.runId } : {}),
        ...(runOptions.state !== undefined ? { state: runOptions.state } : {}),
        ...(runOptions.chatId !== undefined ? { chatId: runOptions.chatId } : {}),
      });
      const value = await result(runId, runOptions.signal ? { signal: runOptions.signal } : {});
      return { ...value, runId };
    },
  };
}

function isHeadersTimeout(error: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function checkRunId(runId: string): void {
  if (typeof runId !== "string" || runId === "" || runId.length > 512) {
    throw new InvalidOptionsError("runId must be a non-empty string of at most 512 characters.");
  }
}
