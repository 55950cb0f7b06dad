/**
 * `evaluate()`: every task through `CodeModeAgent`, and with `compare: "tool-calling"`
 * also through a plain AI SDK tool-calling loop, graded by the same checks, with the
 * numbers a team needs to decide: passes, first-try passes, turns, retries, LLM calls,
 * tokens, tool calls and time, per task and in total, and the ratios between the modes.
 */
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import { createCallLlm } from "../llm/default-call-llm.js";
import { BUILT_IN_PROVIDERS, parseModelId } from "../llm/model-id.js";
import { type ProviderSettings, resolveModel } from "../llm/providers.js";
import type { CallLlm } from "../llm/types.js";
import { normalizeTools, type ToolSetInput } from "../tools/define/tool-set.js";
import { gradeAnswer } from "./checks.js";
import { type ModeRunOutcome, runCodeMode } from "./code-mode-runner.js";
import { summarize } from "./report.js";
import { loadTasks, resolveTaskCheckers, validateTasks } from "./tasks.js";
import { runToolCalling } from "./tool-calling-runner.js";
import type { EvalEvent, EvalMode, EvalReport, EvalRun, EvalTask, EvalTaskInput } from "./types.js";

export interface EvaluateOptions extends ProviderSettings {
  /** The tools both modes get, in any form `CodeModeAgent` takes. */
  tools: ToolSetInput;
  /** A tasks file (`.jsonl`, or a `.ts`/`.js` module exporting `tasks`), or the tasks. */
  tasks: string | readonly EvalTaskInput[];
  /** `provider:model`, the same for both modes. */
  model: string;
  /** `"tool-calling"`: also run every task through the AI SDK tool-calling baseline. */
  compare?: "tool-calling";
  /** Runs of each task in each mode. Default `1`. */
  repeat?: number;
  /** Runs at a time. Default `4`; `1` (and only 1) with a `replay:` model. */
  concurrency?: number;
  /** Code mode's turns (see `CodeModeAgentOptions.maxTurns`). Default `10`, as on the CLI. */
  maxTurns?: number;
  /** Code mode's rewrites after a failed program. Default: the agent's (`2`). */
  maxRetries?: number;
  /** Tool calling's model calls per task. Default `20`. */
  maxSteps?: number;
  /** Cap on each reply's tokens, both modes. Default `8192`. */
  maxOutputTokens?: number;
  /**
   * Code mode's LLM client. Default `createCallLlm()` with this call's provider settings.
   * The tool-calling baseline always uses the AI SDK provider for `model`.
   */
  callLlm?: CallLlm;
  /** Progress: `run_start` and `run_end` for every run. */
  onEvent?: (event: EvalEvent) => void;
  /** Stops the evaluation: runs in flight are cancelled, none start. */
  signal?: AbortSignal;
}

export const DEFAULT_EVAL_MAX_TURNS = 10;
export const DEFAULT_EVAL_MAX_STEPS = 20;
export const DEFAULT_EVAL_CONCURRENCY = 4;

/** Runs the evaluation; rejects only for bad options or tasks (before any model call). */
export async function evaluate(options: EvaluateOptions): Promise<EvalReport> {
  if (!options || typeof options !== "object") {
    throw new InvalidOptionsError("evaluate({ tools, tasks, model }) needs an options object.");
  }
  const t0 = performance.now();
  const settings = readSettings(options);
  const tools = normalizeTools(options.tools);
  const tasks: EvalTask[] =
    typeof options.tasks === "string"
      ? await loadTasks(options.tasks)
      : await resolveTaskCheckers(validateTasks(options.tasks));
  const providerSettings = providerSettingsOf(options);
  // A missing key fails here, once, instead of in every run.
  if (
    !settings.replay &&
    (options.callLlm === undefined || settings.modes.includes("tool-calling"))
  ) {
    resolveModel(settings.id, providerSettings);
  }
  const callLlm =
    options.callLlm ??
    createCallLlm({ ...providerSettings, maxOutputTokens: settings.maxOutputTokens });
  // One task in one mode: each runner gets only the settings its mode reads.
  const runOne = (task: EvalTask, mode: EvalMode): Promise<ModeRunOutcome> =>
    mode === "code-mode"
      ? runCodeMode(task.question, {
          tools,
          model: options.model,
          callLlm,
          maxTurns: settings.maxTurns,
          ...(settings.maxRetries !== undefined ? { maxRetries: settings.maxRetries } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : runToolCalling(task.question, {
          ...providerSettings,
          tools,
          model: options.model,
          maxSteps: settings.maxSteps,
          maxOutputTokens: settings.maxOutputTokens,
          ...(options.signal ? { signal: options.signal } : {}),
        });
  const runs = await runJobs(jobsOf(tasks, settings), settings.concurrency, runOne, options);
  options.signal?.throwIfAborted();
  const { modes, repeat } = settings;
  const durationMs = performance.now() - t0;
  return summarize({ model: options.model, modes, repeat, tasks, runs, durationMs });
}

/** `evaluate()`'s options checked, with their defaults: everything but the tools and tasks. */
interface EvalSettings {
  id: ReturnType<typeof parseModelId>;
  /** A `replay:` model (not a custom provider of that name): one run at a time, no baseline. */
  replay: boolean;
  modes: EvalMode[];
  repeat: number;
  concurrency: number;
  maxTurns: number;
  maxSteps: number;
  maxOutputTokens: number;
  maxRetries: number | undefined;
}

/** Checks the options one by one (the first bad one throws); no I/O, no model call. */
function readSettings(options: EvaluateOptions): EvalSettings {
  const { model } = options;
  const custom = Object.keys(options.providers ?? {});
  const id = parseModelId(model, [...new Set([...BUILT_IN_PROVIDERS, ...custom])]);
  const replay = id.provider === "replay" && !options.providers?.replay;
  const modes = modesOf(options.compare, replay);
  const repeat = count(options.repeat, 1, "repeat", 1);
  const concurrency = count(
    options.concurrency,
    replay ? 1 : DEFAULT_EVAL_CONCURRENCY,
    "concurrency",
    1,
  );
  if (replay && concurrency > 1) {
    throw new InvalidOptionsError(
      `A replay: model answers calls in the order they arrive, so runs at the same time would take each other's replies. Use concurrency 1 with "${model}" (the default for replay:).`,
    );
  }
  return {
    id,
    replay,
    modes,
    repeat,
    concurrency,
    maxTurns: count(options.maxTurns, DEFAULT_EVAL_MAX_TURNS, "maxTurns", 1),
    maxSteps: count(options.maxSteps, DEFAULT_EVAL_MAX_STEPS, "maxSteps", 1),
    maxOutputTokens: count(options.maxOutputTokens, 8192, "maxOutputTokens", 1),
    maxRetries:
      options.maxRetries === undefined ? undefined : count(options.maxRetries, 2, "maxRetries", 0),
  };
}

/** Code mode always; the tool-calling baseline with `compare`, which a replay cannot drive. */
function modesOf(compare: EvaluateOptions["compare"], replay: boolean): EvalMode[] {
  if (compare === undefined) return ["code-mode"];
  if (compare !== "tool-calling") {
    throw new InvalidOptionsError(
      `compare must be "tool-calling" (got ${JSON.stringify(compare)}).`,
    );
  }
  if (replay) {
    throw new InvalidOptionsError(
      `A replay: model answers with recorded text and cannot make tool calls, so it cannot drive the tool-calling baseline. ` +
        "Compare against a real model (or an OpenAI-compatible server through OPENAI_BASE_URL), or drop compare.",
    );
  }
  return ["code-mode", "tool-calling"];
}

/** The provider settings both modes share, without keys set to `undefined`. */
function providerSettingsOf(options: EvaluateOptions): ProviderSettings {
  return {
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    ...(options.apiKeys !== undefined ? { apiKeys: options.apiKeys } : {}),
    ...(options.providers !== undefined ? { providers: options.providers } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
  };
}

interface EvalJob {
  task: EvalTask;
  mode: EvalMode;
  repeat: number;
}

/** Repeat by repeat, task by task, code mode first: the order a replay is recorded in. */
function jobsOf(tasks: readonly EvalTask[], settings: EvalSettings): EvalJob[] {
  const jobs: EvalJob[] = [];
  for (let r = 1; r <= settings.repeat; r++) {
    for (const task of tasks)
      for (const mode of settings.modes) jobs.push({ task, mode, repeat: r });
  }
  return jobs;
}

/**
 * Runs the jobs `concurrency` at a time, in order, each graded as it ends; the runs keep the
 * jobs' order whatever order they end in. An abort starts no new job (the ones in flight
 * see the signal through their runner); the runs never started stay holes in the array.
 */
async function runJobs(
  jobs: readonly EvalJob[],
  concurrency: number,
  runOne: (task: EvalTask, mode: EvalMode) => Promise<ModeRunOutcome>,
  options: Pick<EvaluateOptions, "onEvent" | "signal">,
): Promise<EvalRun[]> {
  const total = jobs.length;
  const runs: EvalRun[] = new Array(total);
  const emit = (event: EvalEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's bug must not break the evaluation.
    }
  };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < total && !options.signal?.aborted) {
      const index = next++;
      const { task, mode, repeat } = jobs[index]!;
      emit({ type: "run_start", taskId: task.id, mode, repeat, total });
      let outcome: ModeRunOutcome;
      try {
        outcome = await runOne(task, mode);
      } catch (error) {
        outcome = crashed(mode, error);
      }
      const run = await graded(jobs[index]!, outcome);
      runs[index] = run;
      done++;
      emit({ type: "run_end", run, done, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return runs;
}

/** The run as the report shows it: the outcome, its checks, and the transcript of a failure. */
async function graded({ task, mode, repeat }: EvalJob, outcome: ModeRunOutcome): Promise<EvalRun> {
  const checks = await gradeAnswer(task, outcome.answer);
  const passed = outcome.answer.error === null && checks.every((c) => c.pass);
  return {
    taskId: task.id,
    mode,
    repeat,
    passed,
    firstTry: passed && outcome.retries === 0,
    checks,
    answer: outcome.answer,
    turns: outcome.turns,
    retries: outcome.retries,
    llmCalls: outcome.llmCalls,
    inputTokens: outcome.inputTokens,
    cachedInputTokens: outcome.cachedInputTokens,
    outputTokens: outcome.outputTokens,
    toolCalls: outcome.answer.toolCalls.length,
    durationMs: outcome.durationMs,
    ...(outcome.code !== undefined ? { code: outcome.code } : {}),
    ...(passed ? {} : { transcript: outcome.transcript }),
  };
}

function crashed(mode: EvalMode, error: unknown): ModeRunOutcome {
  return {
    answer: {
      mode,
      text: "",
      value: undefined,
      charts: [],
      toolCalls: [],
      error: `The run crashed: ${errorText(error)}`,
    },
    turns: 0,
    retries: 0,
    llmCalls: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    durationMs: 0,
    transcript: [],
  };
}

function count(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidOptionsError(`${name} must be a whole number >= ${min} (got ${value}).`);
  }
  return value;
}
