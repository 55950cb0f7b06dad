/**
 * What every route of the chat app shares: the checked settings, the agent, the stores and
 * run slots, and the helpers that answer (JSON with secrets redacted, the one error shape)
 * and read bodies (size limit, JSON, `hono/validator` with the route's zod schema).
 */

import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { validator } from "hono/validator";
import type { z } from "zod";
import { ConversationTurns } from "../agent/conversation-turns.js";
import { type AuthCheck, createAuthCheck } from "./auth.js";
import { type ChatStateStore, memoryChatStateStore } from "./chat-state-store.js";
import { type ContinuationStore, memoryContinuationStore } from "./continuation-store.js";
import { createSafeJson, secretsFromEnv } from "./json.js";
import type { ChatSettings } from "./options.js";
import { RunSlots } from "./run-slots.js";
import type { ChatAgent, ChatAppOptions, ModelSetup } from "./types.js";

export interface ChatParts {
  settings: ChatSettings;
  agent: ChatAgent;
  /** `undefined` when the API is open. */
  auth: AuthCheck | undefined;
  /** Whether `auth` is the caller's own hook (its 401 does not mention the chat token). */
  authIsHook: boolean;
  slots: RunSlots;
  /** Where suspended runs wait for their approvals. */
  store: ContinuationStore;
  chatStates: ChatStateStore;
  /** One run at a time per chat, so a message starts from the state the last one left. */
  chatTurns: ConversationTurns;
  nudges: readonly string[];
  modelSetup: () => ModelSetup | undefined;
  /** `JSON.stringify` with every secret replaced by `[redacted]`. */
  toJson: (value: unknown) => string;
  /** A JSON answer, never cached. */
  json(c: Context, value: unknown, status?: number, headers?: Record<string, string>): Response;
  /** The one error shape: `{ error: { code, message } }`. */
  fail(
    c: Context,
    status: number,
    code: string,
    message: string,
    headers?: Record<string, string>,
  ): Response;
}

/** Builds the parts from the options and their checked settings. */
export function createParts(options: ChatAppOptions, settings: ChatSettings): ChatParts {
  const toJson = createSafeJson([...(options.secrets ?? secretsFromEnv())]);
  const json: ChatParts["json"] = (c, value, status = 200, headers = {}) =>
    c.body(toJson(value), status as 200, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    });
  return {
    settings,
    agent: options.agent,
    auth: createAuthCheck(options.auth),
    authIsHook: typeof options.auth === "function",
    slots: new RunSlots(settings.maxConcurrentRuns, settings.maxQueuedRuns),
    store: options.store ?? memoryContinuationStore(),
    chatStates: options.chatStates ?? memoryChatStateStore(),
    chatTurns: new ConversationTurns(),
    nudges: [...(options.nudges ?? [])],
    modelSetup: () =>
      typeof options.modelSetup === "function" ? options.modelSetup() : options.modelSetup,
    toJson,
    json,
    fail: (c, status, code, message, headers = {}) =>
      json(c, { error: { code, message } }, status, headers),
  };
}

/** 413 for a body over `maxBodyBytes`; `what` says what to send instead. */
export function limitBody(parts: ChatParts, what: string): MiddlewareHandler {
  const { maxBodyBytes } = parts.settings;
  return bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) =>
      parts.fail(
        c,
        413,
        "BODY_TOO_LARGE",
        `The request body is larger than ${maxBodyBytes} bytes. ${what}`,
        // The unread rest of the body makes this connection unusable: tell the client, so
        // it does not send its next request down it.
        { connection: "close" },
      ),
  });
}

/**
 * The body read as JSON whatever its content type (`curl -d` sends a form type), or 400
 * `INVALID_JSON` saying what was expected. `hono/validator` then reads it from the cache.
 */
export function readJson(parts: ChatParts, shape: string): MiddlewareHandler {
  return async (c, next) => {
    let value: unknown;
    try {
      value = JSON.parse(await c.req.text());
    } catch {
      return parts.fail(c, 400, "INVALID_JSON", `The body must be JSON: ${shape}.`);
    }
    // What `c.req.json()` (and so `hono/validator`) returns from now on.
    (c.req.bodyCache as Record<string, unknown>).json = Promise.resolve(value);
    await next();
  };
}

/**
 * `hono/validator` for a JSON body (after `readJson`): the handler gets the schema's output
 * from `c.req.valid("json")`; a body that does not match is answered 400 `INVALID_REQUEST`
 * with `describe`'s sentence.
 */
export function validJson<S extends z.ZodType>(
  parts: ChatParts,
  schema: S,
  describe: (error: z.ZodError) => string,
) {
  return validator("json", async (_value, c) => {
    const parsed = schema.safeParse(await c.req.json());
    if (!parsed.success) return parts.fail(c, 400, "INVALID_REQUEST", describe(parsed.error));
    return parsed.data as z.output<S>;
  });
}

/** 503 when the model cannot be called (`modelSetup.ready` false), else `undefined`. */
export function modelNotReady(parts: ChatParts, c: Context): Response | undefined {
  const setup = parts.modelSetup();
  if (!setup || setup.ready) return undefined;
  return parts.fail(
    c,
    503,
    "MODEL_NOT_CONFIGURED",
    setup.notice ?? `The model ${setup.model} cannot be called.`,
  );
}
