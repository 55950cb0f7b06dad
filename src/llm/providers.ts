// Only types here: each provider's SDK is imported on first use, so importing codemode
// does not pay for the AI SDK (~250 ms per provider on this machine's cold start).
import type { LanguageModel } from "ai";
import { MissingApiKeyError } from "../errors.js";
import type { ModelId } from "./model-id.js";

/** A model object (not a gateway model string) that `generateText` can call. */
export type LanguageModelObject = Exclude<LanguageModel, string>;

/** Makes a model from the part after `provider:`; register one under `providers`. */
export type ProviderFactory = (modelName: string) => LanguageModelObject;

/** Built-in providers that take a base URL and an API key. */
export type BuiltInProviderName = "openai" | "anthropic" | "ollama";

/** How the built-in providers find their server and key. */
export interface ProviderSettings {
  /**
   * Server to talk to. A string applies to whichever built-in provider the model names;
   * an object sets it per provider. Wins over `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL` /
   * `OLLAMA_BASE_URL`.
   */
  baseURL?: string | Partial<Record<BuiltInProviderName, string>>;
  /** API keys; win over `OPENAI_API_KEY` / `ANTHROPIC_API_KEY` / `OLLAMA_API_KEY`. */
  apiKeys?: Partial<Record<BuiltInProviderName, string>>;
  /** Your own providers by name, e.g. `{ azure: (name) => azure(name) }`; they win over built-ins. */
  providers?: Record<string, ProviderFactory>;
  /** Where keys and base URLs are read from. Default `process.env`, read on every call. */
  env?: Record<string, string | undefined>;
  /** A `fetch` for the built-in providers (proxies, logging, tests). */
  fetch?: typeof globalThis.fetch;
}

/** A model ready to call, with what the error messages need to know about it. */
export interface ResolvedModel {
  /** Builds the model object, importing the provider's SDK on first use. */
  load(): Promise<LanguageModelObject>;
  provider: string;
  modelName: string;
  /** The environment variable that holds the key, for "check your key" messages. */
  keyEnvVar?: string;
  /** The server the requests go to (built-in providers only). */
  baseURL?: string;
}

interface BuiltInProvider {
  keyEnvVar: string;
  baseUrlEnvVar: string;
  defaultBaseURL: string;
  /** Whether a request may go out without a key (local servers need none). */
  keyOptional: (baseURL: string, defaultBaseURL: string) => boolean;
  create: (settings: {
    apiKey: string;
    baseURL: string;
    fetch?: typeof globalThis.fetch;
  }) => Promise<ProviderFactory>;
}

// Local OpenAI-compatible servers ignore the key, but the SDK always sends one.
const PLACEHOLDER_KEY = "no-key";

const BUILT_IN: Record<BuiltInProviderName, BuiltInProvider> = {
  anthropic: {
    keyEnvVar: "ANTHROPIC_API_KEY",
    baseUrlEnvVar: "ANTHROPIC_BASE_URL",
    defaultBaseURL: "https://api.anthropic.com/v1",
    keyOptional: () => false,
    create: async (settings) => {
      const { createAnthropic } = await import("@ai-sdk/anthropic");
      const provider = createAnthropic(settings);
      return (name) => provider.messages(name);
    },
  },
  openai: {
    keyEnvVar: "OPENAI_API_KEY",
    baseUrlEnvVar: "OPENAI_BASE_URL",
    defaultBaseURL: "https://api.openai.com/v1",
    // A custom base URL usually means Ollama, vLLM or llama.cpp, which need no key.
    keyOptional: (baseURL, defaultBaseURL) => baseURL !== defaultBaseURL,
    create: async (settings) => {
      const { createOpenAI } = await import("@ai-sdk/openai");
      const provider = createOpenAI(settings);
      // Chat completions, not the Responses API: that is what compatible servers speak.
      return (name) => provider.chat(name);
    },
  },
  ollama: {
    keyEnvVar: "OLLAMA_API_KEY",
    baseUrlEnvVar: "OLLAMA_BASE_URL",
    defaultBaseURL: "http://127.0.0.1:11434/v1",
    keyOptional: () => true,
    create: async (settings) => {
      const { createOpenAI } = await import("@ai-sdk/openai");
      const provider = createOpenAI({ ...settings, name: "ollama" });
      return (name) => provider.chat(name);
    },
  },
};

/**
 * Resolves a parsed model id to its server and key, synchronously, so a missing key is known
 * before anything is imported or sent: throws `MissingApiKeyError` when the provider needs a
 * key that is neither passed nor in the environment. `load()` then builds the model.
 */
export function resolveModel(id: ModelId, settings: ProviderSettings = {}): ResolvedModel {
  const custom = settings.providers?.[id.provider];
  if (custom) return { load: async () => custom(id.modelName), ...id };

  const spec = BUILT_IN[id.provider as BuiltInProviderName];
  if (!spec) throw new Error(`resolveModel: no provider "${id.provider}"`);
  const name = id.provider as BuiltInProviderName;
  const env = settings.env ?? process.env;

  // Always hand the SDK explicit values: left undefined, it would read process.env itself
  // and ignore the `env` option.
  const baseURL = stripSlash(
    nonEmpty(typeof settings.baseURL === "string" ? settings.baseURL : settings.baseURL?.[name]) ??
      nonEmpty(env[spec.baseUrlEnvVar]) ??
      spec.defaultBaseURL,
  );
  let apiKey = nonEmpty(settings.apiKeys?.[name]) ?? nonEmpty(env[spec.keyEnvVar]);
  if (apiKey === undefined) {
    if (!spec.keyOptional(baseURL, spec.defaultBaseURL)) {
      throw missingKeyError(name, spec, `${id.provider}:${id.modelName}`);
    }
    apiKey = PLACEHOLDER_KEY;
  }
  const providerSettings = {
    apiKey,
    baseURL,
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  };
  const load = async () => (await spec.create(providerSettings))(id.modelName);
  return { load, ...id, keyEnvVar: spec.keyEnvVar, baseURL };
}

function missingKeyError(
  name: BuiltInProviderName,
  spec: BuiltInProvider,
  model: string,
): MissingApiKeyError {
  const localHint =
    name === "openai"
      ? ` For a local OpenAI-compatible server (Ollama, vLLM, llama.cpp) set ${spec.baseUrlEnvVar} instead; it needs no key.`
      : "";
  return new MissingApiKeyError(
    `${spec.keyEnvVar} is not set, so "${model}" cannot be called. Set it (export ${spec.keyEnvVar}=...) or pass apiKeys.${name}.${localHint} For an offline demo without any model, use "replay:<file>.jsonl" (recorded replies, for demos and tests only).`,
    { envVar: spec.keyEnvVar },
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
