/** `POST /api/chat`: one message of a chat, answered by a run (see `runResponse`). */

import { Hono } from "hono";
import type { ConversationState } from "../../agent/conversation-state.js";
import { CHAT_ID, chatKey, newChatId } from "../chat-state-store.js";
import { type ChatParts, limitBody, modelNotReady, readJson, validJson } from "../parts.js";
import { runResponse } from "../run-response.js";
import { chatRequestSchema, describeIssues } from "../schema.js";

const CHAT_SHAPE =
  '{ "message": "...", "history": [{ "role": "user" | "assistant", "content": "..." }] }';

export function chatRoutes(parts: ChatParts): Hono {
  const app = new Hono();
  const { agent } = parts;

  /** The chat's remembered state, or none (unknown, expired, or unreadable: a fresh start). */
  const loadChatState = async (key: string): Promise<unknown> => {
    try {
      return (await parts.chatStates.load(key))?.state;
    } catch {
      return undefined;
    }
  };

  app.post(
    "/api/chat",
    limitBody(parts, "Send a shorter message or less history."),
    readJson(parts, CHAT_SHAPE),
    validJson(parts, chatRequestSchema(parts.settings), (error) => describeIssues(error)),
    async (c) => {
      const notReady = modelNotReady(parts, c);
      if (notReady) return notReady;
      const { message, history, chatId: given } = c.req.valid("json");
      // A chat id the server made and still holds state for goes on; any other starts a chat.
      let chatId: string | undefined;
      let state: unknown;
      let leave: (() => void) | undefined;
      if (given !== undefined && CHAT_ID.test(given)) {
        // Wait for the chat's running message (if any) to save its state, then load it.
        try {
          leave = await parts.chatTurns.enter(chatKey(given), c.req.raw.signal);
        } catch {
          return parts.fail(c, 499, "CLIENT_CLOSED", "The client closed the request.");
        }
        state = await loadChatState(chatKey(given));
        if (state !== undefined) chatId = given;
        else {
          leave();
          leave = undefined;
        }
      }
      chatId ??= newChatId();
      const chat = chatKey(chatId);
      return runResponse(parts, c, {
        message,
        chat,
        ...(leave ? { release: leave } : {}),
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
    },
  );

  return app;
}
