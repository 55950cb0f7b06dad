import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { errorText } from "../error-text.js";
import { MissingApiKeyError } from "../errors.js";
import { parseModelId } from "../llm/model-id.js";
import { resolveModel } from "../llm/providers.js";
import type { ModelSetup } from "./types.js";

/** The replay file shipped for the offline demo, relative to the package root. */
export const DEMO_REPLAY = "examples/replays/revenue-by-region.jsonl";

/** The tools the offline demo answers with, relative to the package root. */
export const DEMO_TOOLS = "examples/data-tools/tools.ts";

/** Starts the offline demo (the example tools, recorded answers), from a clone or an install. */
const DEMO_COMMAND = "npx codemode chat --demo";

/**
 * Checks, without any request, whether the default `callLlm` could call `model` with the
 * given environment: the key its provider needs, or the replay file. Use it for
 * `createChatApp({ modelSetup })` when the agent uses the default client.
 */
export function checkModelSetup(
  model: string,
  env: Record<string, string | undefined> = process.env,
): ModelSetup {
  let provider: string;
  let modelName: string;
  try {
    ({ provider, modelName } = parseModelId(model));
  } catch (error) {
    return { model, ready: false, notice: errorText(error) };
  }
  if (provider === "replay") {
    const file = resolve(modelName);
    if (!existsSync(file)) {
      return { model, ready: false, notice: `Replay file ${modelName} does not exist.` };
    }
    return {
      model,
      ready: true,
      notice:
        "Replay model: answers are recorded replies played back in order, whatever you ask. For real answers, run with --model anthropic:claude-haiku-4-5 (or openai:…, ollama:…).",
    };
  }
  try {
    resolveModel({ provider, modelName }, { env });
  } catch (error) {
    if (error instanceof MissingApiKeyError) {
      const missingEnvVar = error.envVar;
      return {
        model,
        ready: false,
        ...(missingEnvVar ? { missingEnvVar } : {}),
        notice: `${missingEnvVar ?? "The API key"} is not set, so ${model} cannot be called. Set it and restart codemode chat, or try the offline demo (the example data tools with recorded answers): ${DEMO_COMMAND}`,
        commands: [`export ${missingEnvVar ?? "THE_API_KEY"}=...`, DEMO_COMMAND],
      };
    }
    return { model, ready: false, notice: errorText(error) };
  }
  return { model, ready: true };
}
