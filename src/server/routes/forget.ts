/** `POST /api/forget`: the server drops a chat's state (the page's New chat). */

import { Hono } from "hono";
import { CHAT_ID, chatKey } from "../chat-state-store.js";
import { type ChatParts, limitBody, readJson, validJson } from "../parts.js";
import { describeIssues, FORGET_REQUEST_SHAPE, forgetRequestSchema } from "../schema.js";

export function forgetRoutes(parts: ChatParts): Hono {
  const app = new Hono();
  app.post(
    "/api/forget",
    limitBody(parts, "Send only { chatId }."),
    readJson(parts, FORGET_REQUEST_SHAPE),
    validJson(parts, forgetRequestSchema(), (error) => describeIssues(error, FORGET_REQUEST_SHAPE)),
    async (c) => {
      const { chatId } = c.req.valid("json");
      const forgotten = CHAT_ID.test(chatId)
        ? await parts.chatStates.delete(chatKey(chatId))
        : false;
      return parts.json(c, { forgotten });
    },
  );
  return app;
}
