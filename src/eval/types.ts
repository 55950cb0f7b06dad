/**
 * The shapes of an evaluation: tasks and what their answers must contain, one run of one
 * task in one mode, and the report that compares the modes.
 */
import type { Chart } from "../agent/types.js";

/** The two ways a task can be answered: Python programs, or plain function calling. */
export type EvalMode = "code-mode" | "tool-calling";

/**
 * Judges an answer in JavaScript. Pass: return `true`, `undefined` or `{ pass: true }`.
 * Fail: return `false`, a string (the reason), `{ pass: false, message }`, or throw.
 */
export type CheckFunction = (
  answer: EvalAnswer,
  task: EvalTask,
) => CheckOutcome | undefined | Promise<CheckOutcome | undefined>;

export type CheckOutcome = boolean | string | { pass: boolean; message?: string };

/** What a correct answer must contain. Text is matched against the answer's text. */
export type Expectation =
  /** A number in the text within `tolerance`: absolute (`0.5`) or relative (`"1%"`). */
  | { number: number; tolerance?: number | string }
  /** Every string appears in the text (case-insensitive unless `caseSensitive`). */
  | { contains: string | string[]; caseSensitive?: boolean }
  /** The strings appear in the text in this order. */
  | { ordered: string[]; caseSensitive?: boolean }
  /** The answer has a chart; a string asks for that Chart.js type (`"bar"`). */
  | { chart: true | string }
  /**
   * A JavaScript checker: a function, or in a JSONL file `"./checks.ts#name"` (a module
   * relative to the tasks file, and the export to call).
   */
  | { check: CheckFunction | string; name?: string };

/** One question and what its answer must contain. */
export interface EvalTask {
  /** Names the task in the report. Default: `task-<line>` (JSONL) or `task-<index+1>`. */
  id: string;
  question: string;
  /** Every expectation must hold for the task to pass. */
  expect: Expectation[];
  /** Where the task was read from, for error messages: `tasks.jsonl:3`. */
  source?: string;
}

/** A task as written: `id` may be left out. */
export type EvalTaskInput = Omit<EvalTask, "id" | "source"> & { id?: string };

/** A tool call of either mode. */
export interface EvalToolCall {
  name: string;
  args: unknown;
  ok: boolean;
  result?: unknown;
  error?: { type: string; message: string };
  durationMs: number;
}

/** What a checker sees of an answer, the same for both modes. */
export interface EvalAnswer {
  mode: EvalMode;
  /** The answer's text: code mode's `summary`, tool calling's final reply. */
  text: string;
  /** Code mode: the program's final value; tool calling: `undefined`. */
  value: unknown;
  /**
   * Code mode: the result's `charts`. Tool calling: every Chart.js config a tool returned
   * (a result with `type` and `data`), since that mode has no other place for a chart.
   */
  charts: Chart[];
  toolCalls: EvalToolCall[];
  /** Why the run failed (no answer), else `null`. */
  error: string | null;
}

/** One expectation's verdict. */
export interface CheckResult {
  /** The expectation as text: `number 1234.5 ± 0.5`, `contains "East"`. */
  expectation: string;
  pass: boolean;
  /** Why it failed. */
  message?: string;
}

/** The transcript of a run: what the model was sent and what it answered, in order. */
export interface TranscriptEntry {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
}

/** One run of one task in one mode. */
export interface EvalRun {
  taskId: string;
  mode: EvalMode;
  /** 1-based, up to `repeat`. */
  repeat: number;
  passed: boolean;
  /** Passed with no failed program (code mode) or failed tool call (tool calling). */
  firstTry: boolean;
  checks: CheckResult[];
  answer: EvalAnswer;
  /** Code mode: turns of the loop. Tool calling: steps (model calls) of the loop. */
  turns: number;
  /** Code mode: programs rewritten after a failure. Tool calling: failed tool calls. */
  retries: number;
  llmCalls: number;
  inputTokens: number;
  /** Of `inputTokens`, those read from the provider's prompt cache. */
  cachedInputTokens: number;
  outputTokens: number;
  toolCalls: number;
  durationMs: number;
  /** Kept for failed runs: the last program (code mode). */
  code?: string;
  /** Kept for failed runs: the conversation. */
  transcript?: TranscriptEntry[];
}

/** Sums over the runs of one mode (or of one task in one mode). */
export interface EvalTotals {
  runs: number;
  passed: number;
  firstTry: number;
  /** passed / runs, 0 to 1. */
  passRate: number;
  turns: number;
  retries: number;
  llmCalls: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  toolCalls: number;
  durationMs: number;
}

/** Per task: totals of its runs in each mode. */
export interface EvalTaskSummary {
  id: string;
  question: string;
  modes: Partial<Record<EvalMode, EvalTotals>>;
}

/** What `evaluate()` returns; `--json` prints it. */
export interface EvalReport {
  model: string;
  modes: EvalMode[];
  repeat: number;
  tasks: EvalTaskSummary[];
  totals: Partial<Record<EvalMode, EvalTotals>>;
  /**
   * Tool calling over code mode, per measure, when both ran: `2` means tool calling used
   * twice as much. `null` where code mode's total is 0.
   */
  ratios?: Record<
    "llmCalls" | "inputTokens" | "outputTokens" | "toolCalls" | "durationMs",
    number | null
  >;
  /** Every run, failures with their code and transcript. */
  runs: EvalRun[];
  durationMs: number;
}

/** Progress events, in order per run. */
export type EvalEvent =
  | { type: "run_start"; taskId: string; mode: EvalMode; repeat: number; total: number }
  | { type: "run_end"; run: EvalRun; done: number; total: number };
