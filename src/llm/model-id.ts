import { LlmError } from "../errors.js";

/** A parsed `provider:model` string. */
export interface ModelId {
  /** The part before the first colon, e.g. `"anthropic"`. */
  provider: string;
  /** Everything after the first colon, e.g. `"claude-haiku-4-5"` or `"llama3.2:3b"`. */
  modelName: string;
}

/** The providers codemode knows without any configuration. */
export const BUILT_IN_PROVIDERS = ["anthropic", "openai", "ollama", "replay"] as const;

const EXAMPLES = '"anthropic:claude-haiku-4-5", "openai:gpt-4.1-mini" or "ollama:llama3.2"';

/**
 * Splits `"anthropic:claude-haiku-4-5"` into `{ provider, modelName }`.
 *
 * Only the first colon separates: Ollama tags (`ollama:llama3.2:3b`) and Windows paths
 * (`replay:C:\demo.jsonl`) keep theirs. `knownProviders` defaults to the built-in ones;
 * pass custom provider names too so they are accepted.
 */
export function parseModelId(
  model: string,
  knownProviders: readonly string[] = BUILT_IN_PROVIDERS,
): ModelId {
  const known = `Known providers: ${knownProviders.join(", ")}.`;
  if (typeof model !== "string" || model.trim() === "") {
    throw new LlmError(`No model given. Pass a "provider:model" string such as ${EXAMPLES}.`);
  }
  const colon = model.indexOf(":");
  if (colon === -1) {
    throw new LlmError(
      `Model "${model}" has no provider. Write it as "provider:model", e.g. ${EXAMPLES}. ${known}`,
    );
  }
  const provider = model.slice(0, colon).trim().toLowerCase();
  const modelName = model.slice(colon + 1).trim();
  if (!knownProviders.includes(provider)) {
    throw new LlmError(
      `Unknown provider "${provider}" in model "${model}". ${known} For example ${EXAMPLES}; any OpenAI-compatible server works as "openai:<model>" with OPENAI_BASE_URL set.`,
    );
  }
  if (modelName === "") {
    throw new LlmError(
      `Model "${model}" has no model name after "${provider}:". For example ${EXAMPLES}.`,
    );
  }
  return { provider, modelName };
}
