/** The LLM boundary: the default `CallLlm` on the AI SDK, and the pieces it is built from. */
export {
  type CreateCallLlmOptions,
  createCallLlm,
  defaultCallLlm,
} from "./default-call-llm.js";
export { BUILT_IN_PROVIDERS, type ModelId, parseModelId } from "./model-id.js";
export type {
  BuiltInProviderName,
  LanguageModelObject,
  ProviderFactory,
  ProviderSettings,
} from "./providers.js";
export { createReplayCallLlm, loadReplayFile, type ReplayEntry } from "./replay.js";
export {
  isTransientError,
  isTransientStatus,
  type RetryOptions,
  retryAfterMs,
  withRetries,
} from "./retry.js";
export type { CallLlm, CallLlmOptions, ChatMessage, LlmReply, TokenUsage } from "./types.js";
