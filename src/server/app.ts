/**
 * `createChatApp`: the chat web app as a Hono app. The page and its assets, `/health`, and
 * the JSON API (`/api/chat`, `/api/approvals`, `/api/tools`, `/api/nudges`) that the page and other clients
 * use. Mount it in any Hono or Node server, or start it with `startChatServer`.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ConversationState } from "../agent/conversation-state.js";
import type { AgentEvent, AgentResult } from "../agent/types.js";
import { errorText } from "../error-text.js";
import { CodeModeError, InvalidOptionsError } from "../errors.js";
import { decideEvery } from "../execute/call-policy.js";
import { loadAsset } from "./assets.js";
import { type AuthCheck, createAuthCheck } from "./auth.js";
import { CHAT_ID, chatKey, memoryChatStateStore, newChatId } from "./chat-state-store.js";
import { memoryContinuationStore, newContinuationId } from "./continuation-store.js";
import { createSafeJson, secretsFromEnv } from "./json.js";
import { RunSlots } from "./run-slots.js";
import {
  APPROVALS_REQUEST_SHAPE,
  approvalsRequestSchema,
  chatRequestSchema,
  describeIssues,
  FORGET_REQUEST_SHAPE,
  forgetRequestSchema,
} from "./schema.js";
import type { ChatAppOptions, ChatRunResult, ModelSetup } from "./types.js";

export const CHAT_DEFAULTS = {
  title: "codemode chat",
  maxBodyBytes: 1024 * 1024,
  maxMessageChars: 20_000,
  maxHistoryMessages: 100,
  maxConcurrentRuns: 8,
  maxQueuedRuns: 64,
  runTimeoutMs: 300_000,
} as const;

/** The last line of a stream when the agent itself failed (rather than resolving with an error). */
export interface ChatErrorEvent {
  type: "error";
  error: { code: string; message: string };
}

/**
 * The last line of a stream that ended well. A suspended run's `done` carries
 * `continuationId` (send it to `POST /api/approvals` with the decisions) or, when the run
 * cannot be resumed here, `resumeUnavailable` saying why. `result.continuation` and
 * `result.state` are never sent. A `POST /api/chat` run's `done` carries `chatId`: send it
 * with the chat's next message, so the run starts from what this one's programs kept.
 */
export type ChatDoneEvent = Extract<AgentEvent, { type: "done" }> & {
  continuationId?: string;
  resumeUnavailable?: string;
  chatId?: string;
};

/** Everything `POST /api/chat` and `POST /api/approvals` can stream. */
export type ChatStreamEvent =
  | Exclude<AgentEvent, { type: "done" }>
  | ChatDoneEvent
  | ChatErrorEvent;

/** Builds the chat app. Throws `InvalidOptionsError` for a bad option. */
export function createChatApp(options: ChatAppOptions): Hono {
  const settings = checkOptions(options);
  const { agent } = options;
  const auth: AuthCheck | undefined = createAuthCheck(options.auth);
  const toJson = createSafeJson([...(options.secrets ?? secretsFromEnv())]);
  const slots = new RunSlots(settings.maxConcurrentRuns, settings.maxQueuedRuns);
  const modelSetup = (): ModelSetup | undefined =>
    typeof options.modelSetup === "function" ? options.modelSetup() : options.modelSetup;
  const nudges = [...(options.nudges ?? [])];
  const store = options.store ?? memoryContinuationStore();
  const chatStates = options.chatStates ?? memoryChatStateStore();

  const json = (c: Context, value: unknown, status = 200, headers: Record<string, string> = {}) =>
    c.body(toJson(value), status as 200, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    });
  const fail = (c: Context, status: number, code: string, message: string, headers = {}) =>
    json(c, { error: { code, message } }, status, headers);

  const app = new Hono();

  app.onError((error, c) => {
    // Unexpected failures: say what failed without a stack or internals.
    const message = error instanceof CodeModeError ? error.message : "Internal server error.";
    return fail(c, 500, error instanceof CodeModeError ? error.code : "INTERNAL", message);
  });
  app.notFound((c) => fail(c, 404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`));

  // ---- page -------------------------------------------------------------------------------
  app.get("/", (c) => {
    const page = loadAsset("index.html");
    if (!page) return fail(c, 500, "INTERNAL", "The page is missing from the package.");
    // Mounted at "/chat" (no trailing slash), the page's relative URLs would resolve
    // against "/"; a relative <base> keeps them under the mount point, even behind a proxy.
    const path = c.req.path;
    const last = path.slice(path.lastIndexOf("/") + 1);
    const base = last ? `<base href="${escapeHtml(encodeURIComponent(last))}/" />` : "";
    const body = page.body
      .replaceAll("{{TITLE}}", escapeHtml(settings.title))
      .replace("<!--BASE-->", base);
    return c.body(body, 200, {
      "content-type": page.contentType,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
  });
  app.get("/assets/:name{.+}", (c) => {
    const name = c.req.param("name");
    const asset = loadAsset(name);
    if (!asset) return fail(c, 404, "NOT_FOUND", `No asset ${name}.`);
    return c.body(asset.body, 200, {
      "content-type": asset.contentType,
      "cache-control": "public, max-age=300",
      "x-content-type-options": "nosniff",
      // Chart frames are opaque-origin iframes; they load Chart.js from here.
      "access-control-allow-origin": "*",
    });
  });

  app.get("/health", (c) => {
    const setup = modelSetup();
    return json(c, {
      ok: true,
      title: settings.title,
      model: setup?.model ?? agent.model ?? null,
      llm: setup
        ? {
            ready: setup.ready,
            ...(setup.missingEnvVar ? { missingEnvVar: setup.missingEnvVar } : {}),
            ...(setup.notice ? { notice: setup.notice } : {}),
            ...(setup.commands ? { commands: setup.commands } : {}),
          }
        : { ready: true },
      durable: safeCall(() => agent.usesDurableTools(), false),
      authRequired: auth !== undefined,
      runs: {
        running: slots.running,
        queued: slots.queued,
        maxConcurrent: slots.concurrency,
        maxQueued: slots.maxQueued,
      },
      limits: {
        maxBodyBytes: settings.maxBodyBytes,
        maxMessageChars: settings.maxMessageChars,
        maxHistoryMessages: settings.maxHistoryMessages,
      },
    });
  });

  // ---- API ---------------------------------------------------------------------------------
  app.use("/api/*", async (c, next) => {
    if (auth && !(await auth(c.req.raw))) {
      return fail(
        c,
        401,
        "UNAUTHORIZED",
        typeof options.auth === "function"
          ? "Missing or wrong credentials."
          : "Missing or wrong credentials. Send the chat token as `Authorization: Bearer <token>`.",
        { "www-authenticate": 'Bearer realm="codemode chat"' },
      );
    }
    await next();
  });

  app.get("/api/tools", (c) => json(c, { tools: agent.toolDescriptions() }));
  app.get("/api/nudges", (c) => json(c, { nudges }));

  const limitBody = (what: string) =>
    bodyLimit({
      maxSize: settings.maxBodyBytes,
      onError: (c) =>
        fail(
          c,
          413,
          "BODY_TOO_LARGE",
          `The request body is larger than ${settings.maxBodyBytes} bytes. ${what}`,
          // The unread rest of the body makes this connection unusable: tell the client, so
          // it does not send its next request down it.
          { connection: "close" },
        ),
    });
  /** The body as JSON, or the 400 answer that says what was expected. */
  const readJson = async (
    c: Context,
    shape: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> => {
    try {
      return { ok: true, value: JSON.parse(await c.req.text()) };
    } catch {
      return {
        ok: false,
        response: fail(c, 400, "INVALID_JSON", `The body must be JSON: ${shape}.`),
      };
    }
  };
  const modelNotReady = (c: Context): Response | undefined => {
    const setup = modelSetup();
    if (!setup || setup.ready) return undefined;
    return fail(
      c,
      503,
      "MODEL_NOT_CONFIGURED",
      setup.notice ?? `The model ${setup.model} cannot be called.`,
    );
  };

  /** The chat's remembered state, or none (unknown, expired, or unreadable: a fresh start). */
  const loadChatState = async (key: string): Promise<unknown> => {
    try {
      return (await chatStates.load(key))?.state;
    } catch {
      return undefined;
    }
  };

  /**
   * What a finished run's `done` carries besides the result: a suspended run is stored and
   * its id sent instead of the continuation (which never leaves the server); the chat's
   * state is kept under its key, never sent.
   */
  const settle = async (
    result: ChatRunResult,
    message: string | undefined,
    chat: string | undefined,
  ): Promise<{ result: AgentResult; continuationId?: string; resumeUnavailable?: string }> => {
    const { continuation, state, ...shown } = result;
    if (chat !== undefined && state !== undefined) {
      try {
        await chatStates.save(chat, { state, updatedAt: Date.now() });
      } catch {
        // Not kept: the chat's next message starts from the state it had.
      }
    }
    if (result.status !== "suspended") return { result: shown };
    if (typeof agent.resume !== "function") {
      return {
        result: shown,
        resumeUnavailable:
          "This server's agent cannot resume runs, so these calls cannot be approved here.",
      };
    }
    if (typeof continuation !== "string") {
      return {
        result: shown,
        resumeUnavailable: "The agent suspended the run without a continuation to resume it from.",
      };
    }
    const id = newContinuationId();
    try {
      await store.save(id, {
        continuation,
        approvals: result.pendingApprovals ?? [],
        ...(message !== undefined ? { message } : {}),
        ...(chat !== undefined ? { chat } : {}),
        createdAt: Date.now(),
      });
    } catch (error) {
      return {
        result: shown,
        resumeUnavailable: `The run could not be stored to wait for approval: ${errorText(error)}`,
      };
    }
    return { result: shown, continuationId: id };
  };

  /**
   * Runs `start` in a run slot, with the client's disconnect and `runTimeoutMs` as its
   * signal, and answers with its events as NDJSON (or one JSON result). `claim` runs once
   * the slot is held, before the run; an answer from it is sent instead of the run.
   */
  const respond = async (
    c: Context,
    run: {
      start: (
        signal: AbortSignal,
        onEvent: (event: AgentEvent) => void,
      ) => Promise<ChatRunResult> | ChatRunResult;
      claim?: () => Promise<Response | undefined>;
      message?: string;
      /** The chat's key: the run's state is kept under it. */
      chat?: string;
      /** Sent to the client with the result (`POST /api/chat`'s chat id). */
      extra?: { chatId: string };
    },
  ): Promise<Response> => {
    const requestSignal = c.req.raw.signal;
    let release: (() => void) | undefined;
    try {
      release = await slots.acquire(requestSignal);
    } catch {
      // The client left while waiting; nobody reads this.
      return fail(c, 499, "CLIENT_CLOSED", "The client closed the request.");
    }
    if (!release) {
      return fail(
        c,
        503,
        "BUSY",
        `The server is answering ${slots.running} chats and ${slots.queued} more are waiting. Try again in a few seconds.`,
        { "retry-after": "5" },
      );
    }
    if (run.claim) {
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
    }

    const controller = new AbortController();
    const abort = (reason: string) => {
      if (!controller.signal.aborted) controller.abort(new Error(reason));
    };
    const onRequestAbort = () => abort("the client disconnected");
    requestSignal.addEventListener("abort", onRequestAbort, { once: true });
    const timer = setTimeout(
      () => abort(`the run took longer than ${settings.runTimeoutMs} ms`),
      settings.runTimeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      requestSignal.removeEventListener("abort", onRequestAbort);
      release?.();
    };
    if (requestSignal.aborted) onRequestAbort();

    const go = (onEvent: (event: AgentEvent) => void) =>
      Promise.resolve().then(() => run.start(controller.signal, onEvent));

    if (!wantsStream(c)) {
      try {
        const result = await go(() => {});
        return json(c, { ...(await settle(result, run.message, run.chat)), ...run.extra });
      } catch (error) {
        return fail(c, 500, errorCode(error), errorMessage(error));
      } finally {
        cleanup();
      }
    }

    const encoder = new TextEncoder();
    let closed = false;
    const stream = new ReadableStream<Uint8Array>({
      start(sink) {
        const send = (event: ChatStreamEvent) => {
          if (closed) return;
          try {
            sink.enqueue(encoder.encode(`${toJson(event)}\n`));
          } catch {
            closed = true;
          }
        };
        // `done` is held until the run resolves: a suspended run is stored first, so the
        // event can carry the id that resumes it.
        let done: Extract<AgentEvent, { type: "done" }> | undefined;
        go((event) => {
          if (event.type === "done") done = event;
          else send(event);
        })
          .then(async (result: ChatRunResult) => {
            // An agent that forgot its `done` event still ends the stream properly.
            const base = done ?? { type: "done", result, attempt: result.attempts, maxAttempts: 0 };
            send({ ...base, ...(await settle(result, run.message, run.chat)), ...run.extra });
          })
          .catch((error: unknown) => {
            send({
              type: "error",
              error: { code: errorCode(error), message: errorMessage(error) },
            });
          })
          .finally(() => {
            cleanup();
            if (!closed) {
              closed = true;
              try {
                sink.close();
              } catch {
                // Already cancelled by the client.
              }
            }
          });
      },
      cancel() {
        closed = true;
        abort("the client disconnected");
      },
    });
    return new Response(stream, {
      status: 200,
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  };

  const schema = chatRequestSchema(settings);
  const CHAT_SHAPE =
    '{ "message": "...", "history": [{ "role": "user" | "assistant", "content": "..." }] }';
  app.post("/api/chat", limitBody("Send a shorter message or less history."), async (c) => {
    const raw = await readJson(c, CHAT_SHAPE);
    if (!raw.ok) return raw.response;
    const parsed = schema.safeParse(raw.value);
    if (!parsed.success) {
      return fail(c, 400, "INVALID_REQUEST", describeIssues(parsed.error));
    }
    const notReady = modelNotReady(c);
    if (notReady) return notReady;
    const { message, history } = parsed.data;
    // A chat id the server made and still holds state for goes on; any other starts a chat.
    const given = parsed.data.chatId;
    let chatId: string | undefined;
    let state: unknown;
    if (given !== undefined && CHAT_ID.test(given)) {
      state = await loadChatState(chatKey(given));
      if (state !== undefined) chatId = given;
    }
    chatId ??= newChatId();
    const chat = chatKey(chatId);
    return respond(c, {
      message,
      chat,
      extra: { chatId },
      start: (signal, onEvent) =>
        agent.run(message, history, {
          signal,
          onEvent,
          // The agent binds the state to the key (a hash), so the id itself is never stored.
          chatId: chat,
          ...(state !== undefined ? { state: state as ConversationState | string } : {}),
        }),
    });
  });

  // ---- chat state --------------------------------------------------------------------------
  const forgetSchema = forgetRequestSchema();
  app.post("/api/forget", limitBody("Send only { chatId }."), async (c) => {
    const raw = await readJson(c, FORGET_REQUEST_SHAPE);
    if (!raw.ok) return raw.response;
    const parsed = forgetSchema.safeParse(raw.value);
    if (!parsed.success) {
      return fail(c, 400, "INVALID_REQUEST", describeIssues(parsed.error, FORGET_REQUEST_SHAPE));
    }
    const { chatId } = parsed.data;
    const forgotten = CHAT_ID.test(chatId) ? await chatStates.delete(chatKey(chatId)) : false;
    return json(c, { forgotten });
  });

  // ---- approvals ---------------------------------------------------------------------------
  const approvalsSchema = approvalsRequestSchema();
  const gone = (c: Context, id: string) =>
    fail(
      c,
      410,
      "APPROVAL_GONE",
      `No run is waiting under ${id}: its approvals were already decided (a run resumes once), or it was never stored on this server. Ask again to start a new run.`,
    );
  app.post("/api/approvals", limitBody("Send shorter reasons."), async (c) => {
    const raw = await readJson(c, APPROVALS_REQUEST_SHAPE);
    if (!raw.ok) return raw.response;
    const parsed = approvalsSchema.safeParse(raw.value);
    if (!parsed.success) {
      return fail(c, 400, "INVALID_REQUEST", describeIssues(parsed.error, APPROVALS_REQUEST_SHAPE));
    }
    const resume = agent.resume?.bind(agent);
    if (!resume) {
      return fail(
        c,
        501,
        "RESUME_NOT_SUPPORTED",
        "This server's agent cannot resume suspended runs (its ChatAgent has no resume method), so approvals cannot be decided here.",
      );
    }
    const notReady = modelNotReady(c);
    if (notReady) return notReady;
    const { continuationId: id, decisions } = parsed.data;
    const record = await store.load(id);
    if (!record) return gone(c, id);
    // The rule every door shares: each pending approval decided, in one request.
    const decided = decideEvery(record.approvals, decisions);
    if (!decided.ok) return fail(c, 400, "INVALID_REQUEST", `decisions: ${decided.message}.`);
    return respond(c, {
      ...(record.message !== undefined ? { message: record.message } : {}),
      // Deleting the record is the claim: of two clicks, only one resumes the run.
      ...(record.chat !== undefined ? { chat: record.chat } : {}),
      claim: async () => ((await store.delete(id)) ? undefined : gone(c, id)),
      start: (signal, onEvent) => resume(record.continuation, decisions, { signal, onEvent }),
    });
  });

  return app;
}

/** NDJSON unless the client asks for one JSON answer. */
function wantsStream(c: Context): boolean {
  const stream = c.req.query("stream");
  if (stream === "false" || stream === "0") return false;
  const accept = c.req.header("accept") ?? "";
  return !(accept.includes("application/json") && !accept.includes("application/x-ndjson"));
}

function checkOptions(options: ChatAppOptions) {
  if (!options || typeof options !== "object") {
    throw new InvalidOptionsError("createChatApp({ agent, ... }) needs an options object.");
  }
  const { agent } = options;
  if (
    !agent ||
    typeof agent.run !== "function" ||
    typeof agent.toolDescriptions !== "function" ||
    typeof agent.usesDurableTools !== "function"
  ) {
    throw new InvalidOptionsError(
      "createChatApp needs `agent`: a CodeModeAgent, or an object with run(message, history, { signal, onEvent }), toolDescriptions() and usesDurableTools().",
    );
  }
  const positive = (name: keyof typeof CHAT_DEFAULTS, allowZero = false): number => {
    const value = options[name as keyof ChatAppOptions] ?? CHAT_DEFAULTS[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
      throw new InvalidOptionsError(
        `createChatApp: ${name} must be a whole number ${allowZero ? ">= 0" : ">= 1"} (got ${String(value)}).`,
      );
    }
    return value;
  };
  const stores = {
    store:
      "a ContinuationStore: { save(id, record), load(id), delete(id) } (e.g. directoryContinuationStore(dir))",
    chatStates:
      "a ChatStateStore: { save(key, record), load(key), delete(key) } (e.g. directoryChatStateStore(dir))",
  } as const;
  for (const [name, shape] of Object.entries(stores)) {
    const store = options[name as keyof typeof stores];
    if (
      store !== undefined &&
      (!store ||
        typeof store.save !== "function" ||
        typeof store.load !== "function" ||
        typeof store.delete !== "function")
    ) {
      throw new InvalidOptionsError(`createChatApp: ${name} must be ${shape}.`);
    }
  }
  if (options.nudges !== undefined && !isStringArray(options.nudges)) {
    throw new InvalidOptionsError("createChatApp: nudges must be an array of strings.");
  }
  return {
    title:
      typeof options.title === "string" && options.title.trim() ? options.title : "codemode chat",
    maxBodyBytes: positive("maxBodyBytes"),
    maxMessageChars: positive("maxMessageChars"),
    maxHistoryMessages: positive("maxHistoryMessages", true),
    maxConcurrentRuns: positive("maxConcurrentRuns"),
    maxQueuedRuns: positive("maxQueuedRuns", true),
    runTimeoutMs: positive("runTimeoutMs"),
  };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function safeCall<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function errorCode(error: unknown): string {
  return error instanceof CodeModeError ? error.code : "AGENT_ERROR";
}

function errorMessage(error: unknown): string {
  if (error instanceof CodeModeError) return error.message;
  return `The agent failed: ${errorText(error)}`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}
