/** The chat web app: `createChatApp` (a Hono app) and `startChatServer` (on Node). */
export { type ChatStreamEvent, createChatApp } from "./app.js";
export { checkModelSetup } from "./model-setup.js";
export {
  type ChatServer,
  type StartChatServerOptions,
  startChatServer,
} from "./start.js";
export type { ChatAgent, ChatAppOptions, ChatAuthHook, ModelSetup } from "./types.js";
