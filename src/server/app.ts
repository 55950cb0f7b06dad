/**
 * `createChatApp`: the chat web app as a Hono app. The page and its assets, `/health`, and
 * the JSON API (`/api/chat`, `/api/tools`, `/api/nudges`) that the page and other clients
 * use. Mount it in any Hono or Node server, or start it with `startChatServer`.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AgentEvent, AgentResult } from "../agent/types.js";
import { errorText } from "../error-text.js";
import { CodeModeError, InvalidOptionsError } from "../errors.js";
import { loadAsset } from "./assets.js";
import { type AuthCheck, createAuthCheck } from "./auth.js";
import { createSafeJson, secretsFromEnv } from "./json.js";
import { RunSlots } from "./run-slots.js";
import { chatRequestSchema, describeIssues } from "./schema.js";
import type { ChatAppOptions, ModelSetup } from "./types.js";

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

/** Everything `POST /api/chat` can stream: the agent's events, or a final `error`. */
export type ChatStreamEvent = AgentEvent | ChatErrorEvent;

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

  const schema = chatRequestSchema(settings);
  app.post(
    "/api/chat",
    bodyLimit({
      maxSize: settings.maxBodyBytes,
      onError: (c) =>
        fail(
          c,
          413,
          "BODY_TOO_LARGE",
          `The request body is larger than ${settings.maxBodyBytes} bytes. Send a shorter message or less history.`,
          // The unread rest of the body makes this connection unusable: tell the client, so
          // it does not send its next request down it.
          { connection: "close" },
        ),
    }),
    async (c) => {
      let raw: unknown;
      try {
        raw = JSON.parse(await c.req.text());
      } catch {
        return fail(
          c,
          400,
          "INVALID_JSON",
          'The body must be JSON: { "message": "...", "history": [{ "role": "user" | "assistant", "content": "..." }] }.',
        );
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return fail(c, 400, "INVALID_REQUEST", describeIssues(parsed.error));
      }
      const setup = modelSetup();
      if (setup && !setup.ready) {
        return fail(
          c,
          503,
          "MODEL_NOT_CONFIGURED",
          setup.notice ?? `The model ${setup.model} cannot be called.`,
        );
      }

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

      const { message, history } = parsed.data;
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

      const run = (onEvent: (event: AgentEvent) => void) =>
        Promise.resolve().then(() =>
          agent.run(message, history, { signal: controller.signal, onEvent }),
        );

      if (!wantsStream(c)) {
        try {
          const result = await run(() => {});
          return json(c, { result });
        } catch (error) {
          return fail(c, 500, errorCode(error), errorMessage(error));
        } finally {
          cleanup();
        }
      }

      const encoder = new TextEncoder();
      let closed = false;
      let sawDone = false;
      const stream = new ReadableStream<Uint8Array>({
        start(sink) {
          const send = (event: ChatStreamEvent) => {
            if (closed) return;
            if (event.type === "done") sawDone = true;
            try {
              sink.enqueue(encoder.encode(`${toJson(event)}\n`));
            } catch {
              closed = true;
            }
          };
          run(send)
            .then((result: AgentResult) => {
              // An agent that forgot its `done` event still ends the stream properly.
              if (!sawDone)
                send({ type: "done", result, attempt: result.attempts, maxAttempts: 0 });
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
    },
  );

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
