import { z } from "zod";

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
  });
}

export type ChatRequest = z.infer<ReturnType<typeof chatRequestSchema>>;

/** One readable line per problem, e.g. `history[2].role: role must be "user" or "assistant"`. */
export function describeIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join("");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return `Invalid request body. ${lines.join("; ")}. Expected { "message": string, "history"?: [{ "role": "user" | "assistant", "content": string }] }.`;
}
