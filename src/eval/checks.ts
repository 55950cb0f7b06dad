/**
 * Grading: each expectation of a task against an answer, the same way for both modes.
 * Text expectations read the answer's text (code mode's summary, tool calling's final
 * reply); a run that ended in an error fails every expectation with that error.
 */
import { errorText } from "../error-text.js";
import { parseTolerance } from "./tasks.js";
import type { CheckResult, EvalAnswer, EvalTask, Expectation } from "./types.js";

/** Every expectation's verdict, in order. */
export async function gradeAnswer(task: EvalTask, answer: EvalAnswer): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const expectation of task.expect) {
    const label = describeExpectation(expectation);
    if (answer.error !== null) {
      results.push({ expectation: label, pass: false, message: `no answer: ${answer.error}` });
      continue;
    }
    results.push({ expectation: label, ...(await check(expectation, answer, task)) });
  }
  return results;
}

/** The expectation in a few words, for the report. */
export function describeExpectation(e: Expectation): string {
  if ("number" in e) {
    return `number ${e.number}${e.tolerance !== undefined ? ` ± ${e.tolerance}` : ""}`;
  }
  if ("contains" in e) {
    const all = typeof e.contains === "string" ? [e.contains] : e.contains;
    return `contains ${all.map((s) => JSON.stringify(s)).join(", ")}`;
  }
  if ("ordered" in e) return `ordered ${e.ordered.map((s) => JSON.stringify(s)).join(" < ")}`;
  if ("chart" in e) return e.chart === true ? "has a chart" : `has a ${e.chart} chart`;
  // An arrow written as `{ check: (a) => ... }` takes the name "check": not worth repeating.
  const own = typeof e.check === "string" ? e.check : e.check.name;
  const name = e.name ?? (own && own !== "check" ? own : "function");
  return `check ${name}`;
}

type Verdict = { pass: boolean; message?: string };
type ExpectationOf<K extends string> = Extract<Expectation, Record<K, unknown>>;

/** One expectation against the answer: each kind has its own check below. */
async function check(e: Expectation, answer: EvalAnswer, task: EvalTask): Promise<Verdict> {
  if ("number" in e) return checkNumber(e, answer.text);
  if ("contains" in e) return checkContains(e, answer.text);
  if ("ordered" in e) return checkOrdered(e, answer.text);
  if ("chart" in e) return checkChart(e, answer.charts);
  return runChecker(e, answer, task);
}

function checkNumber(e: ExpectationOf<"number">, text: string): Verdict {
  const tolerance = parseTolerance(e.tolerance ?? 0)(e.number);
  // Float noise in a printed value (0.1 + 0.2) must not fail an exact expectation.
  const allowed = Math.max(tolerance, Math.abs(e.number) * 1e-9);
  const found = numbersIn(text);
  if (found.some((n) => Math.abs(n - e.number) <= allowed)) return { pass: true };
  const near = found.length
    ? `; the closest number in the answer is ${closest(found, e.number)}`
    : "; the answer has no numbers";
  const want =
    e.tolerance === undefined ? `equal to ${e.number}` : `within ${e.tolerance} of ${e.number}`;
  return { pass: false, message: `no number ${want}${near}` };
}

function checkContains(e: ExpectationOf<"contains">, text: string): Verdict {
  const wanted = typeof e.contains === "string" ? [e.contains] : e.contains;
  const hay = fold(text, e.caseSensitive);
  const missing = wanted.filter((w) => !hay.includes(fold(w, e.caseSensitive)));
  return missing.length === 0
    ? { pass: true }
    : { pass: false, message: `missing ${missing.map((s) => JSON.stringify(s)).join(", ")}` };
}

function checkOrdered(e: ExpectationOf<"ordered">, text: string): Verdict {
  const hay = fold(text, e.caseSensitive);
  let from = 0;
  for (const [i, item] of e.ordered.entries()) {
    const at = hay.indexOf(fold(item, e.caseSensitive), from);
    if (at < 0) {
      const anywhere = hay.includes(fold(item, e.caseSensitive));
      return {
        pass: false,
        message: anywhere
          ? `${JSON.stringify(item)} comes before ${JSON.stringify(e.ordered[i - 1])}`
          : `missing ${JSON.stringify(item)}`,
      };
    }
    from = at + item.length;
  }
  return { pass: true };
}

function checkChart(e: ExpectationOf<"chart">, charts: EvalAnswer["charts"]): Verdict {
  if (e.chart === true) {
    return charts.length > 0 ? { pass: true } : { pass: false, message: "the answer has no chart" };
  }
  const types = charts.map((c) => (typeof c === "string" ? "html" : String(c.type)));
  return types.includes(e.chart)
    ? { pass: true }
    : {
        pass: false,
        message:
          types.length > 0
            ? `no ${e.chart} chart (charts: ${types.join(", ")})`
            : "the answer has no chart",
      };
}

/** A user's checker: what it returns (or throws) read as a verdict, never thrown on. */
async function runChecker(
  e: ExpectationOf<"check">,
  answer: EvalAnswer,
  task: EvalTask,
): Promise<Verdict> {
  if (typeof e.check === "string") {
    // Only tasks that bypassed loadTasks/evaluate can get here.
    return { pass: false, message: `checker ${e.check} was not loaded` };
  }
  try {
    const outcome = await e.check(answer, task);
    if (outcome === undefined || outcome === true) return { pass: true };
    if (outcome === false) return { pass: false, message: "the checker returned false" };
    if (typeof outcome === "string") return { pass: false, message: outcome };
    if (outcome && typeof outcome === "object" && typeof outcome.pass === "boolean") {
      return outcome.pass
        ? { pass: true }
        : { pass: false, message: outcome.message ?? "the checker said it failed" };
    }
    return {
      pass: false,
      message: `the checker returned ${JSON.stringify(outcome)}; return true/false, a failure message or { pass, message }`,
    };
  } catch (error) {
    return { pass: false, message: `the checker threw: ${errorText(error)}` };
  }
}

/**
 * The numbers written in a text: `1,234.5`, `-3`, `12.5%` (as 12.5), `$1,200`, `1e3`.
 * Thousands separators are commas between groups of three digits.
 */
export function numbersIn(text: string): number[] {
  const out: number[] = [];
  const pattern =
    /(?<![\w.])[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;
  for (const match of text.matchAll(pattern)) {
    const n = Number(match[0].replace(/,/g, "").replace("−", "-"));
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

function closest(found: number[], target: number): number {
  return found.reduce((a, b) => (Math.abs(b - target) < Math.abs(a - target) ? b : a));
}

function fold(text: string, caseSensitive?: boolean): string {
  return caseSensitive ? text : text.toLowerCase();
}
