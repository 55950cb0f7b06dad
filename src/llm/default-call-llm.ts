import { APICallError } from "@ai-sdk/provider";
import type { generateText, ModelMessage } from "ai";
import { errorText } from "../error-text.js";
import { CodeModeError, LlmError } from "../errors.js";
import { isTimerDelay } from "../timer.js";
import { BUILT_IN_PROVIDERS, parseModelId } from "./model-id.js";
import { type ProviderSettings, type ResolvedModel, resolveModel } from "./providers.js";
import { createReplayer, type Replayer } from "./replay.js";
import { findNetworkErrorCode, type RetryOptions, withRetries } from "./retry.js";
import type { CallLlm, ChatMessage, TokenUsage } from "./types.js";

/** Options for `createCallLlm`: where the providers live, plus retry and sampling settings. */
export interface CreateCallLlmOptions extends ProviderSettings {
  /**
   * HTTP retries of one LLM call after a transient failure (429, 5xx, network error),
   * with backoff. Default `3`. The AI SDK's name and meaning; not the agent's
   * `CodeModeAgentOptions.maxRetries`, which counts new programs asked of the model after a
   * failed one.
   */
  maxRetries?: number;
  /** First backoff delay; doubles per retry. Default `500` ms. */
  initialRetryDelayMs?: number;
  /** Cap on the backoff delay. Default `8000` ms. */
  maxRetryDelayMs?: number;
  /** Called before each retry wait, e.g. to log it. */
  onRetry?: RetryOptions["onRetry"];
  /**
   * Time one HTTP attempt may take before it is abandoned (and retried like a network
   * error). Default `600_000` ms, as in the providers' own SDKs. Without it a server that
   * accepts the connection and never answers would hold the run forever.
   */
  requestTimeoutMs?: number;
  /** Cap on the reply length in tokens. Default: the provider's own default. */
  maxOutputTokens?: number;
  /** Sampling temperature. Default: the provider's own default. */
  temperature?: number;
}

/**
 * Builds the default `CallLlm` on the AI SDK. Models are `provider:model` strings:
 * `anthropic:…`, `openai:…` (or any OpenAI-compatible server via `OPENAI_BASE_URL` /
 * `baseURL`), `ollama:…`, your own `providers`, and `replay:<file>.jsonl` for tests.
 *
 * Keys and base URLs are read from `env` on every call, so a missing key fails with
 * `MissingApiKeyError` before any request. Transient failures are retried with backoff;
 * other failures become an `LlmError` whose message says what to check. An aborted
 * `signal` rejects with `signal.reason`.
 */
export function createCallLlm(options: CreateCallLlmOptions = {}): CallLlm {
  // Replay state lives per instance, so each `createCallLlm()` starts every file afresh.
  const replayers = new Map<string, Replayer>();

  return async (model, system, messages, callOptions) => {
    const signal = callOptions?.signal;
    signal?.throwIfAborted();
    const custom = Object.keys(options.providers ?? {});
    const id = parseModelId(model, [...new Set([...BUILT_IN_PROVIDERS, ...custom])]);

    if (id.provider === "replay" && !options.providers?.replay) {
      let replayer = replayers.get(id.modelName);
      if (!replayer) {
        replayer = createReplayer(id.modelName);
        replayers.set(id.modelName, replayer);
      }
      return replayer(signal);
    }

    const resolved = resolveModel(id, options);
    const [languageModel, { generateText }] = await Promise.all([resolved.load(), import("ai")]);
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    let attempts = 0;
    let result: Awaited<ReturnType<typeof generateText>>;
    try {
      result = await withRetries(
        (attempt) => {
          attempts = attempt;
          return withRequestTimeout(requestTimeoutMs, signal, (abortSignal) =>
            generateText({
              model: languageModel,
              ...systemPrompt(system, resolved.provider),
              messages: [...cachedSystem(system, resolved.provider), ...toModelMessages(messages)],
              abortSignal,
              // Our loop does the retrying, so the SDK's own must be off.
              maxRetries: 0,
              maxOutputTokens: options.maxOutputTokens,
              temperature: options.temperature,
            }),
          );
        },
        {
          maxRetries: options.maxRetries ?? 3,
          initialDelayMs: options.initialRetryDelayMs ?? 500,
          maxDelayMs: options.maxRetryDelayMs ?? 8000,
          signal,
          onRetry: options.onRetry,
        },
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toLlmError(error, resolved, attempts);
    }

    if (result.text.trim() === "") {
      const why =
        result.finishReason === "length"
          ? " (it stopped at the token limit; raise maxOutputTokens)"
          : ` (finish reason: ${result.finishReason})`;
      throw new LlmError(`The model returned an empty reply${why}. Model: "${model}".`);
    }
    const usage = toTokenUsage(result.usage);
    const finishReason = typeof result.finishReason === "string" ? result.finishReason : undefined;
    return {
      text: result.text,
      ...(usage ? { usage } : {}),
      ...(finishReason ? { finishReason } : {}),
    };
  };
}

const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;

/** One HTTP attempt that took too long. Its `code` makes the retry loop treat it as transient. */
class RequestTimeoutError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "RequestTimeoutError";
  }
}

/** Runs one attempt with its own signal: the caller's, plus a timer for this attempt. */
async function withRequestTimeout<T>(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  // A delay longer than a timer can wait means "no timeout".
  const timer = isTimerDelay(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        controller.abort(new RequestTimeoutError(timeoutMs));
      }, timeoutMs)
    : undefined;
  try {
    return await attempt(controller.signal);
  } catch (error) {
    if (timedOut && !signal?.aborted) throw new RequestTimeoutError(timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** `createCallLlm()` with every default: keys and base URLs from `process.env`. */
export const defaultCallLlm: CallLlm = createCallLlm();

/**
 * Prompt caching. Every call of a run sends the same system prompt (the tool listing is part
 * of it), so with Anthropic it goes as a system message marked `cache_control: ephemeral`:
 * later calls read it from the cache (a prompt under the model's minimum, 1024-2048 tokens,
 * is simply not cached). OpenAI caches a prompt's stable start by itself, and the agent's
 * prompt keeps its changing part (the date) last.
 */
function cachedSystem(system: string, provider: string): ModelMessage[] {
  if (system === "" || provider !== "anthropic") return [];
  return [
    {
      role: "system",
      content: system,
      providerOptions: { anthropic: { cacheControl: { type: "ephemeral" } } },
    },
  ];
}

/** The `system` option, for providers whose system prompt is not sent as a cached message. */
function systemPrompt(system: string, provider: string): { system?: string } {
  return system === "" || provider === "anthropic" ? {} : { system };
}

function toModelMessages(messages: ChatMessage[]): ModelMessage[] {
  return messages.map((m) =>
    m.role === "assistant"
      ? { role: "assistant", content: m.content }
      : { role: "user", content: m.content },
  );
}

function toTokenUsage(usage: {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  totalTokens: number | undefined;
  inputTokenDetails?: { cacheReadTokens?: number | undefined };
  cachedInputTokens?: number | undefined;
}): TokenUsage | undefined {
  const { inputTokens, outputTokens } = usage;
  const cached = usage.inputTokenDetails?.cacheReadTokens ?? usage.cachedInputTokens;
  const totalTokens =
    usage.totalTokens ??
    (inputTokens !== undefined && outputTokens !== undefined
      ? inputTokens + outputTokens
      : undefined);
  const out: TokenUsage = {};
  if (inputTokens !== undefined) out.inputTokens = inputTokens;
  if (outputTokens !== undefined) out.outputTokens = outputTokens;
  if (totalTokens !== undefined) out.totalTokens = totalTokens;
  if (cached !== undefined && cached > 0) out.cachedInputTokens = cached;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Turns whatever the SDK threw into an `LlmError` that says what to check. */
function toLlmError(error: unknown, resolved: ResolvedModel, attempts: number): CodeModeError {
  if (error instanceof CodeModeError) return error;
  const model = `${resolved.provider}:${resolved.modelName}`;
  const after = attempts > 1 ? ` after ${attempts} attempts` : "";

  if (error instanceof RequestTimeoutError) {
    const where = resolved.baseURL ? ` at ${resolved.baseURL}` : "";
    return new LlmError(
      `${resolved.provider}${where} did not answer within ${error.timeoutMs} ms${after}. The server may be overloaded or stuck; try again later, or raise requestTimeoutMs.`,
      { cause: error },
    );
  }
  const detail = errorText(error);

  if (APICallError.isInstance(error) && error.statusCode !== undefined) {
    const status = error.statusCode;
    const said = `HTTP ${status}: ${detail}`;
    let advice: string;
    if (status === 401 || status === 403) {
      const key = resolved.keyEnvVar
        ? `${resolved.keyEnvVar} (or apiKeys.${resolved.provider})`
        : "the API key";
      advice = `${resolved.provider} rejected the API key (${said}). Check ${key}.`;
    } else if (status === 404) {
      advice = `"${model}" was not found at ${error.url} (${said}). Check the model name, and that the base URL is right (OpenAI-compatible servers usually end in /v1).`;
    } else if (status === 429) {
      advice = `${resolved.provider} rate-limited "${model}"${after} (${said}). Wait, send fewer requests, or raise maxRetries.`;
    } else if (status >= 500) {
      advice = `${resolved.provider} had a server error${after} (${said}). The service may be down or overloaded; try again later.`;
    } else {
      advice = `${resolved.provider} rejected the request for "${model}" (${said}). Check the model name and options; the conversation may be too long for the model.`;
    }
    return new LlmError(advice, { cause: error, status });
  }

  const code = findNetworkErrorCode(error);
  if (code !== undefined || (APICallError.isInstance(error) && error.isRetryable)) {
    const where = resolved.baseURL ? ` at ${resolved.baseURL}` : "";
    return new LlmError(
      `Could not reach ${resolved.provider}${where}${after} (${code ?? detail}). Check that the server is running and the base URL is right.`,
      { cause: error },
    );
  }
  return new LlmError(`Calling "${model}" failed${after}: ${detail}`, { cause: error });
}
