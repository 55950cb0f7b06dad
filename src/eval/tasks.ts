/**
 * Reading tasks: a JSONL file (one task per line) or a `.ts`/`.js` module exporting
 * `tasks`. Every task is checked before anything runs, and a bad one is a `TaskFileError`
 * naming the file, the line (or index) and what to write instead.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { errorText } from "../error-text.js";
import { CodeModeError } from "../errors.js";
import { isPlainObject } from "../plain-object.js";
import { importUserModule, moduleExport } from "./load-module.js";
import type { CheckFunction, EvalTask, EvalTaskInput, Expectation } from "./types.js";

/** A task file (or task list) that cannot be used; `file` and `line` say where. */
export class TaskFileError extends CodeModeError {
  override readonly code: string = "TASK_FILE";
  readonly file?: string;
  readonly line?: number;
  constructor(message: string, options?: { file?: string; line?: number; cause?: unknown }) {
    super(message, options);
    if (options?.file !== undefined) this.file = options.file;
    if (options?.line !== undefined) this.line = options.line;
  }
}

const FORMAT_HINT =
  'Each line is {"id"?: "...", "question": "...", "expect": [...]}; an expectation is ' +
  '{"number": 42, "tolerance"?: 0.5 | "1%"}, {"contains": "text" | ["a", "b"]}, ' +
  '{"ordered": ["first", "second"]}, {"chart": true | "bar"} or {"check": "./checks.ts#name"}. ' +
  "See docs/eval.md.";

/**
 * Tasks from a file: `.jsonl` (or `.json` lines) is read as JSONL; `.ts`, `.mts`, `.js`,
 * `.mjs` is imported and its `tasks` (or default) export used. `"./checks.ts#name"`
 * checkers are resolved relative to the file and loaded here, so a missing one fails now.
 */
export async function loadTasks(path: string): Promise<EvalTask[]> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new TaskFileError(
      `Tasks file not found: ${file}. Pass a JSONL file with one task per line (--tasks ./tasks.jsonl). ${FORMAT_HINT}`,
      { file },
    );
  }
  let tasks: EvalTask[];
  if (/\.(c|m)?[jt]sx?$/.test(file)) {
    let mod: Record<string, unknown>;
    try {
      mod = await importUserModule(file);
    } catch (error) {
      throw new TaskFileError(`Could not load tasks module ${file}: ${errorText(error)}`, {
        file,
        cause: error,
      });
    }
    const list = moduleExport(mod, "tasks") ?? mod.default;
    if (!Array.isArray(list)) {
      throw new TaskFileError(
        `${file} must export its tasks as an array: \`export const tasks = [{ question, expect }]\`.`,
        { file },
      );
    }
    tasks = validateTasks(list, file);
  } else {
    tasks = parseTaskLines(readFileSync(file, "utf8"), file);
  }
  return resolveTaskCheckers(tasks, dirname(file));
}

/** Parses JSONL text (blank lines and lines starting with `//` are skipped). */
export function parseTaskLines(text: string, file = "tasks.jsonl"): EvalTask[] {
  const tasks: EvalTask[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("//")) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new TaskFileError(
        `${file}:${line}: not valid JSON (${errorText(error)}). ${FORMAT_HINT}`,
        { file, line, cause: error },
      );
    }
    tasks.push(validateTask(value, `${file}:${line}`, `task-${line}`, { file, line }));
  });
  if (tasks.length === 0) {
    throw new TaskFileError(`${file} holds no tasks. ${FORMAT_HINT}`, { file });
  }
  assertUniqueIds(tasks, file);
  return tasks;
}

/** Checks tasks given as values (`evaluate({ tasks: [...] })` or a tasks module). */
export function validateTasks(list: readonly unknown[], file = "tasks"): EvalTask[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new TaskFileError(`${file}: give at least one task, { question, expect: [...] }.`, {
      file,
    });
  }
  const tasks = list.map((value, i) =>
    validateTask(value, `${file}[${i}]`, `task-${i + 1}`, { file }),
  );
  assertUniqueIds(tasks, file);
  return tasks;
}

function validateTask(
  value: unknown,
  where: string,
  defaultId: string,
  at: { file: string; line?: number },
): EvalTask {
  const fail = (message: string): never => {
    throw new TaskFileError(`${where}: ${message}`, at);
  };
  if (!isPlainObject(value)) fail(`expected a task object, got ${kind(value)}. ${FORMAT_HINT}`);
  const task = value as Record<string, unknown> & Partial<EvalTaskInput>;
  for (const key of Object.keys(task)) {
    if (!["id", "question", "expect"].includes(key)) {
      fail(`unknown key "${key}"; a task has "id", "question" and "expect".`);
    }
  }
  if (task.id !== undefined && (typeof task.id !== "string" || task.id.trim() === "")) {
    fail(`"id" must be a non-empty string.`);
  }
  if (typeof task.question !== "string" || task.question.trim() === "") {
    fail(`"question" must be a non-empty string (what the model is asked).`);
  }
  const expect: unknown = task.expect;
  if (!Array.isArray(expect) || expect.length === 0) {
    fail(`"expect" must be a non-empty list of expectations. ${FORMAT_HINT}`);
  }
  const expectations = (expect as unknown[]).map((e, i) =>
    validateExpectation(e, `${where}: expect[${i}]`, at),
  );
  const out: EvalTask = {
    id: (task.id as string | undefined) ?? defaultId,
    question: task.question as string,
    expect: expectations,
  };
  out.source = at.line !== undefined ? `${at.file}:${at.line}` : where;
  return out;
}

const EXPECTATION_KEYS: Record<string, readonly string[]> = {
  number: ["number", "tolerance"],
  contains: ["contains", "caseSensitive"],
  ordered: ["ordered", "caseSensitive"],
  chart: ["chart"],
  check: ["check", "name"],
};

function validateExpectation(
  value: unknown,
  where: string,
  at: { file: string; line?: number },
): Expectation {
  const fail = (message: string): never => {
    throw new TaskFileError(`${where}: ${message}`, at);
  };
  if (!isPlainObject(value)) fail(`expected an expectation object, got ${kind(value)}.`);
  const e = value as Record<string, unknown>;
  const kinds = Object.keys(EXPECTATION_KEYS).filter((k) => k in e);
  if (kinds.length !== 1) {
    fail(
      `${kinds.length === 0 ? "names no kind" : `names ${kinds.length} kinds (${kinds.join(", ")})`}; ` +
        `give exactly one of "number", "contains", "ordered", "chart" or "check". ${FORMAT_HINT}`,
    );
  }
  const which = kinds[0]!;
  for (const key of Object.keys(e)) {
    if (!EXPECTATION_KEYS[which]!.includes(key)) {
      fail(
        `unknown key "${key}" in a "${which}" expectation (it takes ${EXPECTATION_KEYS[which]!.map((k) => `"${k}"`).join(", ")}).`,
      );
    }
  }
  if ("caseSensitive" in e && typeof e.caseSensitive !== "boolean") {
    fail(`"caseSensitive" must be true or false.`);
  }
  switch (which) {
    case "number": {
      if (typeof e.number !== "number" || !Number.isFinite(e.number)) {
        fail(`"number" must be a finite number, got ${kind(e.number)}.`);
      }
      if (e.tolerance !== undefined) parseTolerance(e.tolerance, fail);
      return e as Expectation;
    }
    case "contains": {
      const c = e.contains;
      const ok =
        (typeof c === "string" && c !== "") ||
        (Array.isArray(c) && c.length > 0 && c.every((s) => typeof s === "string" && s !== ""));
      if (!ok) fail(`"contains" must be a non-empty string or a list of them.`);
      return e as Expectation;
    }
    case "ordered": {
      const o = e.ordered;
      if (!Array.isArray(o) || o.length < 2 || !o.every((s) => typeof s === "string" && s !== "")) {
        fail(`"ordered" must be a list of at least two non-empty strings, in the order expected.`);
      }
      return e as Expectation;
    }
    case "chart": {
      if (e.chart !== true && (typeof e.chart !== "string" || e.chart === "")) {
        fail(`"chart" must be true (any chart) or a Chart.js type such as "bar".`);
      }
      return e as Expectation;
    }
    default: {
      const c = e.check;
      if (e.name !== undefined && typeof e.name !== "string") fail(`"name" must be a string.`);
      if (typeof c === "function") return e as Expectation;
      if (typeof c !== "string" || !/^[^#]+#[A-Za-z_$][\w$]*$/.test(c)) {
        fail(
          `"check" must name a module and an export, "./checks.ts#myCheck" (relative to the tasks file), or be a function in a tasks module.`,
        );
      }
      return e as Expectation;
    }
  }
}

/** `0.5` (absolute) or `"1%"` (relative) as a function of the expected value. */
export function parseTolerance(
  tolerance: unknown,
  fail: (message: string) => never = (m) => {
    throw new TaskFileError(m);
  },
): (expected: number) => number {
  if (typeof tolerance === "number" && Number.isFinite(tolerance) && tolerance >= 0) {
    return () => tolerance;
  }
  if (typeof tolerance === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(tolerance);
    if (m) {
      const fraction = Number(m[1]) / 100;
      return (expected) => Math.abs(expected) * fraction;
    }
  }
  return fail(
    `"tolerance" must be a number >= 0 (absolute, e.g. 0.5) or a percentage string (relative, e.g. "1%"), got ${JSON.stringify(tolerance)}.`,
  );
}

function assertUniqueIds(tasks: readonly EvalTask[], file: string): void {
  const seen = new Map<string, string | undefined>();
  for (const task of tasks) {
    if (seen.has(task.id)) {
      throw new TaskFileError(
        `${task.source ?? file}: task id "${task.id}" is also used by ${seen.get(task.id) ?? "an earlier task"}; give each task its own id.`,
        { file },
      );
    }
    seen.set(task.id, task.source);
  }
}

/**
 * Replaces `"./checks.ts#name"` with the function, loading each module once; paths are
 * relative to `baseDir` (the tasks file's folder, or the working directory).
 */
export async function resolveTaskCheckers(
  tasks: EvalTask[],
  baseDir: string = process.cwd(),
): Promise<EvalTask[]> {
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  for (const task of tasks) {
    for (const [i, e] of task.expect.entries()) {
      if (!("check" in e) || typeof e.check !== "string") continue;
      const spec = e.check;
      const hash = spec.lastIndexOf("#");
      const file = resolve(baseDir, spec.slice(0, hash));
      const name = spec.slice(hash + 1);
      const where = `${task.source}: expect[${i}] ${JSON.stringify(spec)}`;
      if (!existsSync(file)) {
        throw new TaskFileError(
          `${where}: checker module not found: ${file} (paths are relative to the tasks file).`,
          { file },
        );
      }
      let pending = modules.get(file);
      if (!pending) {
        pending = importUserModule(file);
        modules.set(file, pending);
      }
      let mod: Record<string, unknown>;
      try {
        mod = await pending;
      } catch (error) {
        throw new TaskFileError(`${where}: could not load ${file}: ${errorText(error)}`, {
          file,
          cause: error,
        });
      }
      const fn = moduleExport(mod, name);
      if (typeof fn !== "function") {
        const names = Object.keys(mod).filter((k) => typeof mod[k] === "function");
        throw new TaskFileError(
          `${where}: ${file} exports no function "${name}"${names.length > 0 ? ` (its functions: ${names.join(", ")})` : ""}.`,
          { file },
        );
      }
      task.expect[i] = { check: fn as CheckFunction, name: e.name ?? spec };
    }
  }
  return tasks;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}
