import { z } from "zod";
import { checkDecision } from "../execute/call-policy.js";
import type { ApprovalDecision } from "../execute/types.js";
import { CONTINUATION_ID } from "./continuation-store.js";

/** The body of `POST /api/chat`. */
export function chatRequestSchema(limits: { maxMessageChars: number; maxHistoryMessages: number }) {
  return z.object({
    message: z
      .string({ error: "message must be a string" })
      .trim()
      .min(1, { error: "message must not be empty" })
      .max(limits.maxMessageChars, {
        error: `message is longer than ${limits.maxMessageChars} characters`,
      }),
    history: z
      .array(
        z.object({
          role: z.enum(["user", "assistant"], { error: 'role must be "user" or "assistant"' }),
          content: z.string({ error: "content must be a string" }),
        }),
        { error: "history must be an array of { role, content } messages" },
      )
      .max(limits.maxHistoryMessages, {
        error: `history has more than ${limits.maxHistoryMessages} messages; send only the most recent ones`,
      })
      .default([]),
    chatId: z
      .string({ error: "chatId must be a string (the last done event's chatId)" })
      .max(200, { error: "chatId is not an id this server made" })
      .optional(),
  });
}

export const FORGET_REQUEST_SHAPE = '{ "chatId": string }';

/** The body of `POST /api/forget`: the chat whose state the server drops (New chat). */
export function forgetRequestSchema() {
  return z.object({
    chatId: z
      .string({ error: "chatId must be a string (the done event's chatId)" })
      .max(200, { error: "chatId is not an id this server made" }),
  });
}

/** Most decisions one request may carry (a parallel_map can wait on several calls). */
export const MAX_DECISIONS = 1000;

export const APPROVALS_REQUEST_SHAPE =
  '{ "continuationId": string, "decisions": { "<approval id>": true | false | { "approved": boolean, "reason"?: string } } }';

/** The body of `POST /api/approvals`. */
export function approvalsRequestSchema() {
  // Read by the rule every door uses (execute/call-policy.ts).
  const decision = z.unknown().superRefine((value, ctx) => {
    const verdict = checkDecision(value);
    if (typeof verdict === "string") ctx.addIssue({ code: "custom", message: verdict });
  }) as z.ZodType<ApprovalDecision>;
  return z.object({
    continuationId: z
      .string({ error: "continuationId must be a string (the done event's continuationId)" })
      .regex(CONTINUATION_ID, { error: "continuationId is not an id this server made" }),
    decisions: z
      .record(z.string(), decision, { error: "decisions must be an object keyed by approval id" })
      .refine((d) => Object.keys(d).length <= MAX_DECISIONS, {
        error: `decisions has more than ${MAX_DECISIONS} entries`,
      }),
  });
}

/** One readable line per problem, e.g. `history[2].role: role must be "user" or "assistant"`. */
export function describeIssues(
  error: z.ZodError,
  expected = '{ "message": string, "history"?: [{ "role": "user" | "assistant", "content": string }], "chatId"?: string }',
): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join("");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return `Invalid request body. ${lines.join("; ")}. Expected ${expected}.`;
}
