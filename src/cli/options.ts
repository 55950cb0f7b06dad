/** Small pieces every command shares: option parsers, the model and LLM client, stop signals. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_MODEL } from "../agent/code-mode-agent.js";
import type { Skill } from "../agent/skills.js";
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import { createCallLlm } from "../llm/default-call-llm.js";
import { parseModelId } from "../llm/model-id.js";
import type { CallLlm } from "../llm/types.js";
import { checkModelSetup } from "../server/model-setup.js";
import type { ToolsModule } from "./load-tools.js";

/** Commander collector for a repeatable option (`--skill a --skill b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses a count or a duration given on the command line; `flag` names it in the error. */
export function wholeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidOptionsError(`${flag} must be a whole number >= 0 (got "${text}").`);
  }
  return n;
}

/** Resolves on the first SIGINT or SIGTERM (a long-running command's cue to shut down). */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/**
 * The model a command uses: `--model`, else `$CODEMODE_MODEL`, else the agent's default.
 * Checked before the command does any work: a malformed `provider:model` string or a
 * replay file that does not exist is a usage error (exit 2), not a failed run.
 */
export function modelFromCli(model: string | undefined): string {
  const chosen = model ?? process.env.CODEMODE_MODEL ?? DEFAULT_MODEL;
  const from =
    model !== undefined
      ? "--model"
      : process.env.CODEMODE_MODEL
        ? "$CODEMODE_MODEL"
        : "the default model";
  let parsed: { provider: string; modelName: string };
  try {
    parsed = parseModelId(chosen);
  } catch (error) {
    throw new InvalidOptionsError(`${from}: ${errorText(error)}`, { cause: error });
  }
  if (parsed.provider === "replay" && !existsSync(resolve(parsed.modelName))) {
    throw new InvalidOptionsError(
      `${from}: the replay file ${resolve(parsed.modelName)} does not exist.`,
    );
  }
  return chosen;
}

/**
 * What to print at start when `model` cannot be called as things stand (its provider's
 * key is not set), so a server says so before its first request fails; else undefined.
 * `what` names what will fail ("runs on this worker", "ask").
 */
export function modelNotReadyWarning(model: string, what: string, fix: string): string | undefined {
  const setup = checkModelSetup(model);
  if (setup.ready) return undefined;
  return setup.missingEnvVar
    ? `warning: ${setup.missingEnvVar} is not set, so ${what} will fail at the first model call (${model}). ${fix}\n`
    : `warning: ${setup.notice ?? `${model} cannot be called`}\n`;
}

/** The tools module's own skills, then each `--skill` file. */
export function skillsFromCli(loaded: ToolsModule, files: readonly string[] = []): Skill[] {
  return [...(loaded.skills ?? []), ...files.map((path) => ({ path }))];
}

/** The default LLM client as every command uses it: long replies, retries told on stderr. */
export function cliCallLlm(): CallLlm {
  return createCallLlm({
    maxOutputTokens: 8192,
    onRetry: ({ attempt, delayMs, error }) =>
      process.stderr.write(
        `model call failed (${errorText(error)}); retry ${attempt} in ${delayMs} ms\n`,
      ),
  });
}

/**
 * Turns the command line gives an agent unless `--max-turns` says otherwise. The library's
 * default is 1 (Flyte's one-program contract); interactive use wants the loop: most
 * questions end in 1-3 turns, and 10 leaves room to explore an unfamiliar MCP server while
 * bounding the cost of a model that never settles (each turn resends the conversation).
 */
export const CLI_MAX_TURNS = 10;

export const MAX_TURNS_HELP = `turns the model gets: each runs a program and sees its result, or answers (default ${CLI_MAX_TURNS}; 1 is one program, retried on failure)`;

export const COMPENSATE_HELP =
  "when a run ends failed or cancelled, undo its completed side effects with each tool's compensate, newest first";

/**
 * `--max-turns`, `--max-retries`, `--timeout`, `--no-type-check` and `--compensate`, as the
 * agent's options: `turns` (maxTurns always, maxRetries when given), `sandbox` only when
 * one of its flags is given, `compensateOnFailure` only with `--compensate`.
 */
export function attemptOptionsFromCli(options: {
  maxTurns?: string;
  maxRetries?: string;
  timeout?: string;
  typeCheck?: boolean;
  compensate?: boolean;
}): {
  turns: { maxTurns: number; maxRetries?: number };
  sandbox?: { limits?: { timeoutMs: number }; typeCheck?: false };
  compensateOnFailure?: true;
} {
  const sandbox = {
    ...(options.timeout !== undefined
      ? { limits: { timeoutMs: wholeNumber(options.timeout, "--timeout") } }
      : {}),
    ...(options.typeCheck === false ? { typeCheck: false as const } : {}),
  };
  return {
    turns: {
      maxTurns:
        options.maxTurns !== undefined
          ? wholeNumber(options.maxTurns, "--max-turns")
          : CLI_MAX_TURNS,
      ...(options.maxRetries !== undefined
        ? { maxRetries: wholeNumber(options.maxRetries, "--max-retries") }
        : {}),
    },
    ...(Object.keys(sandbox).length > 0 ? { sandbox } : {}),
    ...(options.compensate === true ? { compensateOnFailure: true as const } : {}),
  };
}
