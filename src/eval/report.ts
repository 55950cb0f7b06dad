/**
 * The report: totals per task and mode, totals per mode, the ratios between the modes,
 * and the table `codemode eval` prints (per task, in total, side by side, then failures).
 */
import type {
  EvalMode,
  EvalReport,
  EvalRun,
  EvalTask,
  EvalTaskSummary,
  EvalTotals,
} from "./types.js";

export function summarize(input: {
  model: string;
  modes: EvalMode[];
  repeat: number;
  tasks: readonly EvalTask[];
  runs: readonly (EvalRun | undefined)[];
  durationMs: number;
}): EvalReport {
  const runs = input.runs.filter((r): r is EvalRun => r !== undefined);
  const tasks: EvalTaskSummary[] = input.tasks.map((task) => ({
    id: task.id,
    question: task.question,
    modes: Object.fromEntries(
      input.modes.map((mode) => [
        mode,
        totalsOf(runs.filter((r) => r.taskId === task.id && r.mode === mode)),
      ]),
    ),
  }));
  const totals = Object.fromEntries(
    input.modes.map((mode) => [mode, totalsOf(runs.filter((r) => r.mode === mode))]),
  ) as EvalReport["totals"];
  const report: EvalReport = {
    model: input.model,
    modes: input.modes,
    repeat: input.repeat,
    tasks,
    totals,
    runs,
    durationMs: input.durationMs,
  };
  const code = totals["code-mode"];
  const tools = totals["tool-calling"];
  if (code && tools) {
    const ratio = (k: "llmCalls" | "inputTokens" | "outputTokens" | "toolCalls" | "durationMs") =>
      code[k] === 0 ? null : round(tools[k] / code[k], 2);
    report.ratios = {
      llmCalls: ratio("llmCalls"),
      inputTokens: ratio("inputTokens"),
      outputTokens: ratio("outputTokens"),
      toolCalls: ratio("toolCalls"),
      durationMs: ratio("durationMs"),
    };
  }
  return report;
}

function totalsOf(runs: readonly EvalRun[]): EvalTotals {
  const sum = (k: keyof EvalRun) => runs.reduce((n, r) => n + (r[k] as number), 0);
  const passed = runs.filter((r) => r.passed).length;
  return {
    runs: runs.length,
    passed,
    firstTry: runs.filter((r) => r.firstTry).length,
    passRate: runs.length === 0 ? 0 : passed / runs.length,
    turns: sum("turns"),
    retries: sum("retries"),
    llmCalls: sum("llmCalls"),
    inputTokens: sum("inputTokens"),
    cachedInputTokens: sum("cachedInputTokens"),
    outputTokens: sum("outputTokens"),
    toolCalls: sum("toolCalls"),
    durationMs: round(sum("durationMs"), 1),
  };
}

const MODE_LABEL: Record<EvalMode, string> = {
  "code-mode": "code mode",
  "tool-calling": "tool calling",
};

const HEADER = [
  "task",
  "mode",
  "passed",
  "first try",
  "turns",
  "retries",
  "LLM calls",
  "tokens in",
  "tokens out",
  "tool calls",
  "time",
];

/** The report as text: the table, the ratios, then each failure with its reason and code. */
export function formatReport(report: EvalReport): string {
  const rows: string[][] = [HEADER];
  const row = (label: string, mode: EvalMode, t: EvalTotals, first: boolean) => [
    first ? label : "",
    MODE_LABEL[mode],
    `${t.passed}/${t.runs}`,
    `${t.firstTry}/${t.runs}`,
    String(t.turns),
    String(t.retries),
    String(t.llmCalls),
    thousands(t.inputTokens),
    thousands(t.outputTokens),
    String(t.toolCalls),
    seconds(t.durationMs),
  ];
  for (const task of report.tasks) {
    report.modes.forEach((mode, i) => {
      rows.push(row(task.id, mode, task.modes[mode]!, i === 0));
    });
  }
  const separator = rows.length;
  report.modes.forEach((mode, i) => {
    rows.push(row("total", mode, report.totals[mode]!, i === 0));
  });
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const numeric = (c: number) => c >= 2;
  const line = (r: string[]) =>
    r
      .map((cell, c) => (numeric(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const tasks = report.tasks.length;
  const repeat = report.repeat > 1 ? `, ${report.repeat} runs each (sums over the runs)` : "";
  const out = [
    `codemode eval: ${tasks} task${tasks === 1 ? "" : "s"}${repeat}, model ${report.model}`,
    "",
    line(rows[0]!),
    rule,
    ...rows.slice(1, separator).map(line),
    rule,
    ...rows.slice(separator).map(line),
    "",
  ];
  for (const mode of report.modes) {
    const t = report.totals[mode]!;
    const cached =
      t.cachedInputTokens > 0
        ? `; ${thousands(t.cachedInputTokens)} of ${thousands(t.inputTokens)} input tokens read from the prompt cache`
        : "";
    out.push(
      `${MODE_LABEL[mode]}: ${t.passed}/${t.runs} passed (${Math.round(t.passRate * 100)}%), ${t.firstTry} on the first try${cached}`,
    );
  }
  if (report.ratios) {
    const r = report.ratios;
    const x = (v: number | null) => (v === null ? "n/a" : `${v.toFixed(2)}×`);
    out.push(
      `tool calling ÷ code mode: LLM calls ${x(r.llmCalls)}, tokens in ${x(r.inputTokens)}, tokens out ${x(r.outputTokens)}, tool calls ${x(r.toolCalls)}, time ${x(r.durationMs)}`,
    );
  }
  const failures = report.runs.filter((run) => !run.passed);
  if (failures.length > 0) {
    out.push("", `Failures (${failures.length}; --json has each transcript):`);
    for (const run of failures) out.push(...failureLines(run, report.repeat));
  }
  return `${out.join("\n")}\n`;
}

function failureLines(run: EvalRun, repeat: number): string[] {
  const which = repeat > 1 ? `, run ${run.repeat}` : "";
  const lines = [``, `${run.taskId} (${MODE_LABEL[run.mode]}${which}):`];
  if (run.answer.error) lines.push(`  error: ${firstLines(run.answer.error, 3)}`);
  for (const c of run.checks) {
    if (!c.pass && !run.answer.error) lines.push(`  ✗ ${c.expectation}: ${c.message}`);
  }
  if (!run.answer.error && run.answer.text) {
    lines.push(`  answer: ${firstLines(run.answer.text, 3)}`);
  }
  if (run.code) {
    lines.push("  code:", ...run.code.split("\n").map((l) => `    ${l}`));
  }
  return lines;
}

function firstLines(text: string, n: number): string {
  const lines = text.trim().split("\n");
  return lines.length > n ? `${lines.slice(0, n).join("\n  ")} …` : lines.join("\n  ");
}

function thousands(n: number): string {
  return n.toLocaleString("en-US");
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
