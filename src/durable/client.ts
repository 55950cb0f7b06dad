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
 * sealed, signed with the worker's `continuations.secret` (`agent.sealState()`): pass it back
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
  const ingress = openIngress(options);
  const submit: DurableClient["submit"] = (message, history = [], submitOptions = {}) =>
    submitRun(ingress, message, history, submitOptions);
  const result: DurableClient["result"] = (runId, resultOptions = {}) =>
    awaitResult(ingress, runId, resultOptions.signal);
  const progress: DurableClient["progress"] = (runId) => readProgress(ingress, runId);
  return {
    submit,
    result,
    progress,
    approve: (runId, key, decision) => decide(ingress, runId, key, decision),
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

/**
 * One Restate ingress serving one workflow. Every request goes through `call`, so a network
 * failure or an HTTP error reads the same (and says what to check) whichever method met it.
 */
interface Ingress {
  /** The workflow's path to run `runId`'s `handler` (`/<service>/<runId>/<handler>`). */
  handlerPath(runId: string, handler: string): string;
  /** Restate's own path to wait for run `runId`'s result. */
  attachPath(runId: string): string;
  /** Sends a request; resolves with the answer's body (JSON, or its text when not JSON). */
  call(path: string, init: RequestInit, what: string): Promise<unknown>;
}

function openIngress(options: DurableClientOptions): Ingress {
  if (
    !options ||
    typeof options.ingressUrl !== "string" ||
    !/^https?:\/\//.test(options.ingressUrl)
  ) {
    throw new InvalidOptionsError(
      'createDurableClient({ ingressUrl }) needs the Restate ingress URL, e.g. "http://localhost:8080".',
    );
  }
  const base = trimSlash(options.ingressUrl);
  const service = options.service ?? DEFAULT_DURABLE_SERVICE;
  const headers = { ...(options.headers ?? {}) };
  const run = (runId: string) => `${encodeURIComponent(service)}/${encodeURIComponent(runId)}`;
  return {
    handlerPath: (runId, handler) => `/${run(runId)}/${handler}`,
    attachPath: (runId) => `/restate/workflow/${run(runId)}/attach`,
    call: async (path, init, what) => {
      const response = await reach(`${base}${path}`, base, what, {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
      });
      return answerBody(response, service, what);
    },
  };
}

/** `fetch`, with an ingress that does not answer turned into an error that names it. */
async function reach(url: string, base: string, what: string, init: RequestInit) {
  try {
    return await fetch(url, init);
  } catch (error) {
    // The caller's own abort is not Restate's fault: it goes through as it came.
    if ((init.signal as AbortSignal | undefined)?.aborted) throw error;
    throw new RestateUnavailableError(
      `Could not reach the Restate ingress at ${base} to ${what} (${causeText(error)}). Is restate-server running, and is this its ingress port (default 8080)?`,
      { cause: error },
    );
  }
}

/**
 * The body of Restate's answer, or a `DurableRunError` carrying its HTTP status (which
 * `approve`'s callers read: 404 no such approval, 409 already decided).
 */
async function answerBody(response: Response, service: string, what: string): Promise<unknown> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the error message.
  }
  if (!response.ok) {
    const message = (body as { message?: unknown } | null)?.message ?? text;
    // Restate's 404 for an unknown service is the usual first-run mistake: say the fix.
    const hint =
      response.status === 404 && /service/i.test(String(message))
        ? ` Is a worker serving "${service}" registered with this Restate server (codemode worker --register)?`
        : "";
    throw new DurableRunError(
      `Restate answered HTTP ${response.status} when asked to ${what}: ${String(message).slice(0, 500).replace(/\.+$/, "")}.${hint}`,
      { status: response.status },
    );
  }
  return body;
}

async function submitRun(
  ingress: Ingress,
  message: string,
  history: readonly ChatMessage[],
  options: { runId?: string } & DurableConversationOptions,
): Promise<SubmittedRun> {
  if (typeof message !== "string") {
    throw new InvalidOptionsError("run(message) needs the user's message as a string.");
  }
  const runId = options.runId ?? randomUUID();
  checkRunId(runId);
  const body = await ingress.call(
    ingress.handlerPath(runId, "run/send"),
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        message,
        history: [...history],
        ...(options.state !== undefined ? { state: options.state } : {}),
        ...(options.chatId !== undefined ? { chatId: options.chatId } : {}),
      }),
    },
    `start run ${runId}`,
  );
  const sent = (body ?? {}) as { invocationId?: string; status?: string };
  return { runId, invocationId: String(sent.invocationId ?? ""), status: String(sent.status) };
}

async function awaitResult(
  ingress: Ingress,
  runId: string,
  signal: AbortSignal | undefined,
): Promise<DurableRunResult> {
  checkRunId(runId);
  for (;;) {
    try {
      return await attach(ingress, runId, signal);
    } catch (error) {
      // Node's fetch gives up on a response after 5 minutes; a durable run may take longer
      // (or wait for a worker to come back). Attaching again is always safe.
      if (!isHeadersTimeout(error) || signal?.aborted) throw error;
    }
  }
}

async function attach(
  ingress: Ingress,
  runId: string,
  signal: AbortSignal | undefined,
): Promise<DurableRunResult> {
  const body = await ingress.call(
    ingress.attachPath(runId),
    { method: "GET", ...(signal ? { signal } : {}) },
    `wait for run ${runId}`,
  );
  if (!body || typeof body !== "object") {
    throw new DurableRunError(`Run ${runId} returned something that is not an AgentResult.`);
  }
  return body as DurableRunResult;
}

async function readProgress(ingress: Ingress, runId: string): Promise<AgentEvent[]> {
  checkRunId(runId);
  const body = await ingress.call(
    ingress.handlerPath(runId, "progress"),
    { method: "POST" },
    `read the progress of run ${runId}`,
  );
  return Array.isArray(body) ? (body as AgentEvent[]) : [];
}

/** `approve`: the decision is checked here first, so a malformed one is never sent. */
async function decide(
  ingress: Ingress,
  runId: string,
  key: string,
  decision: ApprovalDecision,
): Promise<{ key: string } & DurableVerdict> {
  checkRunId(runId);
  const verdict = checkDecision(decision);
  if (typeof verdict === "string") {
    throw new InvalidOptionsError(`approve(runId, key, decision): ${verdict}.`);
  }
  const parsed = parseApproveInput({ key, ...verdict });
  if (!parsed.ok) {
    throw new InvalidOptionsError(`approve(runId, key, decision): ${parsed.message}.`);
  }
  const body = await ingress.call(
    ingress.handlerPath(runId, "approve"),
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key, ...parsed.verdict }),
    },
    `decide approval ${key} of run ${runId}`,
  );
  return { key, ...parsed.verdict, ...((body ?? {}) as object) };
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
