/** The chat web app: `createChatApp` (a Hono app) and `startChatServer` (on Node). */
export { createChatApp } from "./app.js";
export {
  type ChatStateRecord,
  type ChatStateStore,
  directoryChatStateStore,
  memoryChatStateStore,
} from "./chat-state-store.js";
export {
  type ContinuationRecord,
  type ContinuationStore,
  directoryContinuationStore,
  memoryContinuationStore,
} from "./continuation-store.js";
export { checkModelSetup } from "./model-setup.js";
export {
  type ChatServer,
  type StartChatServerOptions,
  startChatServer,
} from "./start.js";
export type {
  ChatAgent,
  ChatAppOptions,
  ChatAuthHook,
  ChatDoneEvent,
  ChatRunResult,
  ChatStreamEvent,
  ModelSetup,
} from "./types.js";
