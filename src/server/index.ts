/** The chat web app: `createChatApp` (a Hono app) and `startChatServer` (on Node). */
export {
  CHAT_DEFAULTS,
  type ChatErrorEvent,
  type ChatStreamEvent,
  createChatApp,
} from "./app.js";
export { checkModelSetup, DEMO_REPLAY } from "./model-setup.js";
export {
  type ChatServer,
  type StartChatServerOptions,
  startChatServer,
} from "./start.js";
export type { ChatAgent, ChatAppOptions, ChatAuthHook, ModelSetup } from "./types.js";
