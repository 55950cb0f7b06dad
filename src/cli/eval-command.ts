/**
 * `codemode eval`: the tasks of a file through code mode (and with `--compare
 * tool-calling` through plain tool calling), a progress bar on stderr, the table (or
 * `--json`) on stdout. Exit code 0 when every code-mode run passed, 1 when one failed (the
 * baseline's failures are measured, not gated on), 2 for bad options or a bad tasks file.
 */
import type { Command } from "commander";
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import { evaluate } from "../eval/evaluate.js";
import { formatReport } from "../eval/report.js";
import type { EvalEvent, EvalReport } from "../eval/types.js";
import { closeDefaultSandboxPool } from "../sandbox/pool.js";
import { DEMO_EVAL_REPLAY, DEMO_EVAL_TASKS, demoOptions, packageFile } from "./demo.js";
import { loadToolsModule } from "./load-tools.js";
import { attemptOptionsFromCli, MAX_TURNS_HELP, modelFromCli, wholeNumber } from "./options.js";
import { toJson } from "./run-command.js";

interface EvalCommandOptions {
  demo?: boolean;
  tools?: string;
  tasks?: string;
  model?: string;
  compare?: string;
  repeat?: string;
  concurrency?: string;
  maxTurns?: string;
  maxRetries?: string;
  maxSteps?: string;
  json?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command("eval")
    .description(
      "Run a file of tasks through code mode (and plain tool calling with --compare), grade the answers, and print the numbers side by side",
    )
    .option("-t, --tools <file>", "module exporting the tools (.ts works without a build step)")
    .option(
      "--demo",
      "offline example shipped with codemode: the example data tools, their four tasks and recorded answers (add --model to ask a real model)",
    )
    .option(
      "--tasks <file>",
      "tasks: a .jsonl file (one task per line) or a .ts/.js module exporting tasks",
    )
    .option(
      "-m, --model <provider:model>",
      "model for both modes, e.g. anthropic:claude-haiku-4-5, openai:gpt-4.1-mini (default: $CODEMODE_MODEL or the agent's)",
    )
    .option(
      "--compare <mode>",
      'also run every task another way: "tool-calling" (an AI SDK generateText loop with the same tools)',
    )
    .option("--repeat <n>", "runs of each task in each mode (default 1)")
    .option("--concurrency <n>", "runs at a time (default 4; 1 with a replay: model)")
    .option("--max-turns <n>", MAX_TURNS_HELP)
    .option("--max-retries <n>", "code mode: rewrites after a failed program (default 2)")
    .option("--max-steps <n>", "tool calling: model calls per task (default 20)")
    .option("--json", "print the whole report as JSON (for CI)")
    .action(async (options: EvalCommandOptions) => {
      process.exitCode = await evalCommand(options);
    });
}

export async function evalCommand(given: EvalCommandOptions): Promise<number> {
  if (given.demo && given.tasks !== undefined) {
    throw new InvalidOptionsError(
      "--demo brings its own tasks (the example data tools' tasks); drop --tasks, or drop --demo.",
    );
  }
  const options = given.demo
    ? { ...demoOptions(given, DEMO_EVAL_REPLAY), tasks: packageFile(DEMO_EVAL_TASKS) }
    : given;
  if (options.compare !== undefined && options.compare !== "tool-calling") {
    throw new InvalidOptionsError(`--compare takes "tool-calling" (got "${options.compare}").`);
  }
  if (!options.tools || !options.tasks) {
    throw new InvalidOptionsError(
      "codemode eval needs --tools ./tools.ts (the tools both modes get) and --tasks ./tasks.jsonl (the questions and what their answers must contain; see docs/eval.md), or --demo for the shipped example.",
    );
  }
  const model = modelFromCli(options.model);
  const loaded = await loadToolsModule(options.tools);
  const { maxTurns, maxRetries } = attemptOptionsFromCli(options).turns;
  const bar = new ProgressBar();
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  let report: EvalReport;
  try {
    report = await evaluate({
      tools: loaded.tools,
      tasks: options.tasks,
      model,
      maxTurns,
      ...(maxRetries !== undefined ? { maxRetries } : {}),
      ...(options.compare ? { compare: "tool-calling" as const } : {}),
      ...(options.repeat !== undefined ? { repeat: positive(options.repeat, "--repeat") } : {}),
      ...(options.concurrency !== undefined
        ? { concurrency: positive(options.concurrency, "--concurrency") }
        : {}),
      ...(options.maxSteps !== undefined
        ? { maxSteps: positive(options.maxSteps, "--max-steps") }
        : {}),
      onEvent: bar.onEvent,
      signal: controller.signal,
    });
  } catch (error) {
    bar.stop();
    if (controller.signal.aborted) {
      process.stderr.write(`codemode eval: ${errorText(controller.signal.reason)}\n`);
      return 130;
    }
    throw error;
  } finally {
    bar.stop();
    process.off("SIGINT", onSigint);
    await closeDefaultSandboxPool();
  }
  process.stdout.write(options.json ? `${toJson(report)}\n` : formatReport(report));
  const code = report.totals["code-mode"]!;
  return code.passed === code.runs ? 0 : 1;
}

function positive(text: string, flag: string): number {
  const n = wholeNumber(text, flag);
  if (n < 1) throw new InvalidOptionsError(`${flag} must be at least 1 (got "${text}").`);
  return n;
}

/**
 * On a terminal, one redrawn line: `[#####-----] 5/10 runs, 4 passed, running top-region
 * (code mode)`. Elsewhere (CI, a pipe), a plain line per finished run.
 */
class ProgressBar {
  private readonly tty: boolean;
  private running = new Map<string, string>();
  private done = 0;
  private total = 0;
  private passed = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY) && process.env.CI === undefined;
  }

  onEvent = (event: EvalEvent): void => {
    const mode = (m: string) => (m === "code-mode" ? "code mode" : "tool calling");
    if (event.type === "run_start") {
      this.total = event.total;
      this.running.set(
        `${event.taskId}/${event.mode}/${event.repeat}`,
        `${event.taskId} (${mode(event.mode)})`,
      );
      this.draw();
      return;
    }
    const { run } = event;
    this.running.delete(`${run.taskId}/${run.mode}/${run.repeat}`);
    this.done = event.done;
    if (run.passed) this.passed++;
    const verdict = run.passed ? "pass" : "FAIL";
    const line = `[${event.done}/${event.total}] ${verdict} ${run.taskId} (${mode(run.mode)}${run.repeat > 1 ? `, run ${run.repeat}` : ""}): ${run.turns} turn(s), ${run.llmCalls} LLM call(s), ${run.toolCalls} tool call(s), ${(run.durationMs / 1000).toFixed(1)} s`;
    if (this.tty) {
      this.stream.write(`\r\x1b[K${line}\n`);
      this.draw();
    } else {
      this.stream.write(`${line}\n`);
    }
  };

  stop(): void {
    if (this.tty) this.stream.write("\r\x1b[K");
  }

  private draw(): void {
    if (!this.tty || this.total === 0) return;
    const width = 20;
    const filled = Math.round((this.done / this.total) * width);
    const now = [...this.running.values()].slice(0, 2).join(", ");
    this.stream.write(
      `\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.done}/${this.total} runs, ${this.passed} passed${now ? `, running ${now}` : ""}`,
    );
  }
}
