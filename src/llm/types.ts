/** The LLM boundary: one function the agent calls to get the model's reply. */

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

export interface TokenUsage {
  /** Every input token, those read from the provider's prompt cache included. */
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  /**
   * Of `inputTokens`, those read from the provider's prompt cache (billed at a fraction):
   * Anthropic's `cache_read_input_tokens`, OpenAI's `cached_tokens`.
   */
  cachedInputTokens?: number;
}

/** Token counts summed over the LLM calls of a run; `cachedInputTokens` when any were cached. */
export type UsageTotals = Required<Omit<TokenUsage, "cachedInputTokens">> &
  Pick<TokenUsage, "cachedInputTokens">;

export interface CallLlmOptions {
  /** Cancels the request (and any retry wait). */
  signal?: AbortSignal;
}

/** What a `CallLlm` returns: the reply text, optionally with token usage and why it stopped. */
export type LlmReply = string | { text: string; usage?: TokenUsage; finishReason?: string };

/**
 * Sends one conversation to a model and resolves with its reply.
 * `model` is a `provider:model` string such as `"anthropic:claude-haiku-4-5"`.
 */
export type CallLlm = (
  model: string,
  system: string,
  messages: ChatMessage[],
  options: CallLlmOptions,
) => Promise<LlmReply>;
