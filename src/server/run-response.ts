/**
 * `runResponse`: how a chat run is answered. It owns the run slot, the run's signal (the
 * client's disconnect and `runTimeoutMs`), the choice between an NDJSON stream
 * (`hono/streaming`) and one JSON answer, and what the run leaves behind: a suspended run is
 * stored to wait for its approvals, the chat's state kept under its key.
 */

import type { Context } from "hono";
import { stream } from "hono/streaming";
import type { AgentEvent, AgentResult } from "../agent/types.js";
import { errorText } from "../error-text.js";
import { CodeModeError } from "../errors.js";
import { newContinuationId } from "./continuation-store.js";
import type { ChatParts } from "./parts.js";
import type { ChatRunResult, ChatStreamEvent } from "./types.js";

export interface ChatRun {
  start: (
    signal: AbortSignal,
    onEvent: (event: AgentEvent) => void,
  ) => Promise<ChatRunResult> | ChatRunResult;
  /** Runs once the slot is held, before the run; an answer from it is sent instead of the run. */
  claim?: () => Promise<Response | undefined>;
  /** The message that started the run (kept with a suspended run). */
  message?: string;
  /** The chat's key: the run's state is kept under it. */
  chat?: string;
  /** Sent to the client with the result (`POST /api/chat`'s chat id). */
  extra?: { chatId: string };
  /** Called once when the run is over and its state saved, or when it never starts. */
  release?: () => void;
}

/** What a run's `done` event (or JSON answer) carries besides the agent's own fields. */
type Settled = { result: AgentResult; continuationId?: string; resumeUnavailable?: string };

/**
 * Runs `run.start` in a run slot, with the client's disconnect and `runTimeoutMs` as its
 * signal, and answers with its events as NDJSON, or one JSON result when the client asks.
 */
export async function runResponse(parts: ChatParts, c: Context, run: ChatRun): Promise<Response> {
  let slot: Awaited<ReturnType<typeof takeSlot>>;
  try {
    slot = await takeSlot(parts, c, run);
  } catch (error) {
    run.release?.();
    throw error;
  }
  if (slot instanceof Response) {
    run.release?.();
    return slot;
  }
  const release = slot;
  const signal = runSignal(c.req.raw.signal, parts.settings.runTimeoutMs);
  const cleanup = () => {
    signal.dispose();
    release();
    run.release?.();
  };
  const go = (onEvent: (event: AgentEvent) => void) =>
    Promise.resolve().then(() => run.start(signal.signal, onEvent));
  const finish = async (result: ChatRunResult) => ({
    ...(await settle(parts, result, run.message, run.chat)),
    ...run.extra,
  });

  if (!wantsStream(c)) {
    try {
      return parts.json(c, await finish(await go(() => {})));
    } catch (error) {
      return parts.fail(c, 500, errorCode(error), errorMessage(error));
    } finally {
      cleanup();
    }
  }

  c.header("content-type", "application/x-ndjson; charset=utf-8");
  c.header("cache-control", "no-store");
  c.header("x-accel-buffering", "no");
  return stream(c, async (out) => {
    out.onAbort(() => signal.abort("the client disconnected"));
    // Lines are queued in order without waiting for the client to read them (the agent
    // reports events synchronously, and the slot is released as soon as the run ends);
    // the stream closes after the last one.
    const send = (event: ChatStreamEvent) => void out.writeln(parts.toJson(event));
    // `done` is held until the run resolves: a suspended run is stored first, so the event
    // can carry the id that resumes it.
    let done: Extract<AgentEvent, { type: "done" }> | undefined;
    try {
      const result = await go((event) => {
        if (event.type === "done") done = event;
        else send(event);
      });
      // An agent that forgot its `done` event still ends the stream properly.
      const base = done ?? { type: "done", result, attempt: result.attempts, maxAttempts: 0 };
      send({ ...base, ...(await finish(result)) });
    } catch (error) {
      send({ type: "error", error: { code: errorCode(error), message: errorMessage(error) } });
    } finally {
      cleanup();
    }
  });
}

/**
 * A run slot's release function, or the answer when there is none: 503 `BUSY` when the
 * queue is full, 499 when the client left while waiting, or what `run.claim` answered.
 */
async function takeSlot(
  parts: ChatParts,
  c: Context,
  run: ChatRun,
): Promise<(() => void) | Response> {
  const { slots } = parts;
  let release: (() => void) | undefined;
  try {
    release = await slots.acquire(c.req.raw.signal);
  } catch {
    // The client left while waiting; nobody reads this.
    return parts.fail(c, 499, "CLIENT_CLOSED", "The client closed the request.");
  }
  if (!release) {
    return parts.fail(
      c,
      503,
      "BUSY",
      `The server is answering ${slots.running} chats and ${slots.queued} more are waiting. Try again in a few seconds.`,
      { "retry-after": "5" },
    );
  }
  if (!run.claim) return release;
  let refused: Response | undefined;
  try {
    refused = await run.claim();
  } catch (error) {
    release();
    throw error;
  }
  if (refused) {
    release();
    return refused;
  }
  return release;
}

/** The run's signal: aborted when the client disconnects or after `timeoutMs`. */
function runSignal(request: AbortSignal, timeoutMs: number) {
  const controller = new AbortController();
  const abort = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(new Error(reason));
  };
  const onRequestAbort = () => abort("the client disconnected");
  request.addEventListener("abort", onRequestAbort, { once: true });
  const timer = setTimeout(() => abort(`the run took longer than ${timeoutMs} ms`), timeoutMs);
  if (request.aborted) onRequestAbort();
  return {
    signal: controller.signal,
    abort,
    dispose: () => {
      clearTimeout(timer);
      request.removeEventListener("abort", onRequestAbort);
    },
  };
}

/**
 * What a finished run's `done` carries besides the result: a suspended run is stored and
 * its id sent instead of the continuation (which never leaves the server); the chat's
 * state is kept under its key, never sent.
 */
async function settle(
  parts: ChatParts,
  result: ChatRunResult,
  message: string | undefined,
  chat: string | undefined,
): Promise<Settled> {
  const { continuation, state, ...shown } = result;
  if (chat !== undefined && state !== undefined) {
    try {
      await parts.chatStates.save(chat, { state, updatedAt: Date.now() });
    } catch {
      // Not kept: the chat's next message starts from the state it had.
    }
  }
  if (result.status !== "suspended") return { result: shown };
  const unavailable = (resumeUnavailable: string): Settled => ({
    result: shown,
    resumeUnavailable,
  });
  if (typeof parts.agent.resume !== "function") {
    return unavailable(
      "This server's agent cannot resume runs, so these calls cannot be approved here.",
    );
  }
  if (typeof continuation !== "string") {
    return unavailable("The agent suspended the run without a continuation to resume it from.");
  }
  const id = newContinuationId();
  try {
    await parts.store.save(id, {
      continuation,
      approvals: result.pendingApprovals ?? [],
      ...(message !== undefined ? { message } : {}),
      ...(chat !== undefined ? { chat } : {}),
      createdAt: Date.now(),
    });
  } catch (error) {
    return unavailable(`The run could not be stored to wait for approval: ${errorText(error)}`);
  }
  return { result: shown, continuationId: id };
}

/** NDJSON unless the client asks for one JSON answer. */
function wantsStream(c: Context): boolean {
  const stream = c.req.query("stream");
  if (stream === "false" || stream === "0") return false;
  const accept = c.req.header("accept") ?? "";
  return !(accept.includes("application/json") && !accept.includes("application/x-ndjson"));
}

function errorCode(error: unknown): string {
  return error instanceof CodeModeError ? error.code : "AGENT_ERROR";
}

function errorMessage(error: unknown): string {
  if (error instanceof CodeModeError) return error.message;
  return `The agent failed: ${errorText(error)}`;
}
