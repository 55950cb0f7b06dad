/**
 * `codemode/eval`: measure code mode against plain tool calling on your own tools, tasks
 * and model. `evaluate()` runs every task through `CodeModeAgent` (and with
 * `compare: "tool-calling"` through an AI SDK tool-calling loop with the same tools),
 * grades both with the same checks and reports the numbers side by side; `formatReport`
 * prints the table `codemode eval` shows. See docs/eval.md.
 */
export { type EvaluateOptions, evaluate } from "./evaluate.js";
export { formatReport } from "./report.js";
export { loadTasks, TaskFileError } from "./tasks.js";
export type {
  CheckFunction,
  CheckOutcome,
  CheckResult,
  EvalAnswer,
  EvalEvent,
  EvalMode,
  EvalReport,
  EvalRun,
  EvalTask,
  EvalTaskInput,
  EvalTaskSummary,
  EvalToolCall,
  EvalTotals,
  Expectation,
  TranscriptEntry,
} from "./types.js";
