/**
 * Task files: JSONL and tasks modules, JavaScript checkers, and the errors a bad file gets
 * (typed, with the file and line, saying what to write instead). Grading is driven through
 * `evaluate()` with a scripted model, so the checks see real answers.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluate, loadTasks, TaskFileError } from "codemode/eval";
import { afterEach, describe, expect, it } from "vitest";
import { dataTools } from "../../examples/data-tools/tools.js";
import { type ScriptedLlm, startScriptedLlm } from "./scripted-llm.js";

const dir = mkdtempSync(join(tmpdir(), "eval-tasks-"));
let n = 0;
function file(name: string, text: string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, text);
  return path;
}

async function loadError(path: string): Promise<TaskFileError> {
  try {
    await loadTasks(path);
  } catch (error) {
    expect(error).toBeInstanceOf(TaskFileError);
    return error as TaskFileError;
  }
  throw new Error("expected loadTasks to fail");
}

describe("loadTasks", () => {
  it("reads JSONL, skipping blank and // lines; ids default to the line", async () => {
    const path = file(
      "ok.jsonl",
      '// the example\n{"question": "a?", "expect": [{"contains": "a"}]}\n\n{"id": "b", "question": "b?", "expect": [{"chart": "bar"}, {"number": 1, "tolerance": "2%"}]}\n',
    );
    const tasks = await loadTasks(path);
    expect(tasks.map((t) => [t.id, t.question, t.source])).toEqual([
      ["task-2", "a?", `${path}:2`],
      ["b", "b?", `${path}:4`],
    ]);
  });

  it.each([
    ["not JSON", '{"question": "a?", "expect": [}', /:1: not valid JSON .* Each line is/],
    ["no question", '{"expect": [{"contains": "a"}]}', /:1: "question" must be a non-empty string/],
    ["no expect", '{"question": "a?"}', /:1: "expect" must be a non-empty list/],
    ["unknown key", '{"question": "a?", "expected": []}', /:1: unknown key "expected"/],
    [
      "two kinds",
      '{"question": "a?", "expect": [{"contains": "a", "number": 1}]}',
      /:1: expect\[0\]: names 2 kinds \(number, contains\)/,
    ],
    [
      "bad tolerance",
      '{"question": "a?", "expect": [{"number": 1, "tolerance": "a lot"}]}',
      /"tolerance" must be a number >= 0 .* or a percentage string/,
    ],
    [
      "short ordered",
      '{"question": "a?", "expect": [{"ordered": ["x"]}]}',
      /"ordered" must be a list of at least two/,
    ],
    [
      "bad check",
      '{"question": "a?", "expect": [{"check": "checks.ts"}]}',
      /"check" must name a module and an export, "\.\/checks\.ts#myCheck"/,
    ],
    [
      "duplicate id",
      '{"id": "x", "question": "a?", "expect": [{"chart": true}]}\n{"id": "x", "question": "b?", "expect": [{"chart": true}]}',
      /:2: task id "x" is also used by .*:1/,
    ],
  ])("%s: a TaskFileError naming the line", async (_, text, message) => {
    const path = file("bad.jsonl", text);
    const error = await loadError(path);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(path)).toBe(true);
    expect(error.file).toBe(path);
  });

  it("gives the line as a field", async () => {
    const error = await loadError(file("l.jsonl", '{"question": "a"}\n\n\n{"q": 1}'));
    expect(error.line).toBe(1);
  });

  it("a missing file or an empty one says what a tasks file is", async () => {
    expect((await loadError(join(dir, "nope.jsonl"))).message).toMatch(
      /Tasks file not found: .*nope\.jsonl\. Pass a JSONL file/,
    );
    expect((await loadError(file("empty.jsonl", "\n// nothing\n"))).message).toMatch(
      /holds no tasks/,
    );
  });

  it("a checker module that is missing, or lacks the export, fails at load time", async () => {
    const missing = file("m.jsonl", '{"question": "a?", "expect": [{"check": "./nowhere.ts#ok"}]}');
    expect((await loadError(missing)).message).toMatch(
      /expect\[0\] "\.\/nowhere\.ts#ok": checker module not found: .*nowhere\.ts \(paths are relative to the tasks file\)/,
    );
    const checks = file("checks.mjs", "export function good() { return true; }\n");
    const wrong = file(
      "w.jsonl",
      `{"question": "a?", "expect": [{"check": "./${checks.split("/").at(-1)}#bad"}]}`,
    );
    expect((await loadError(wrong)).message).toMatch(
      /exports no function "bad" \(its functions: good\)/,
    );
  });

  it("a tasks module must export an array", async () => {
    const path = file("tasks.mjs", "export const tasks = { question: 'a?' };\n");
    expect((await loadError(path)).message).toMatch(/must export its tasks as an array/);
  });
});

describe("checks, graded through evaluate()", () => {
  let llm: ScriptedLlm | undefined;
  afterEach(async () => {
    await llm?.close();
    llm = undefined;
  });

  const QUESTION = "Revenue by region?";
  const SUMMARY = "**East** leads with $425,397.07 (28.7%), then North 387,596.15, West and South.";

  async function grade(tasks: string | Parameters<typeof evaluate>[0]["tasks"]) {
    llm = await startScriptedLlm("openai", {
      [QUESTION]: {
        code: [
          `\`\`\`python\nchart = create_chart("bar", "Revenue", ["East", "North"], [{"label": "r", "data": [1.0, 2.0]}])\n{"summary": ${JSON.stringify(SUMMARY)}, "charts": [chart]}\n\`\`\``,
        ],
        toolCalling: [],
      },
    });
    const report = await evaluate({
      tools: dataTools,
      tasks,
      model: "openai:m",
      baseURL: llm.server.baseURL,
      env: {},
    });
    return report.runs[0]!;
  }

  it("numbers, text, order and charts, each with its reason when it fails", async () => {
    const run = await grade([
      {
        id: "all",
        question: QUESTION,
        expect: [
          { number: 425397.07 },
          { number: 425400, tolerance: 5 },
          { number: 28.5, tolerance: "0.5%" },
          { number: 0.287, tolerance: 0.001 },
          { contains: ["east", "NORTH"] },
          { contains: "east", caseSensitive: true },
          { ordered: ["East", "North", "West", "South"] },
          { ordered: ["North", "East"] },
          { chart: true },
          { chart: "bar" },
          { chart: "pie" },
        ],
      },
    ]);
    expect(run.checks).toEqual([
      { expectation: "number 425397.07", pass: true },
      { expectation: "number 425400 ± 5", pass: true },
      {
        expectation: "number 28.5 ± 0.5%",
        pass: false,
        message: "no number within 0.5% of 28.5; the closest number in the answer is 28.7",
      },
      {
        expectation: "number 0.287 ± 0.001",
        pass: false,
        message: "no number within 0.001 of 0.287; the closest number in the answer is 28.7",
      },
      { expectation: 'contains "east", "NORTH"', pass: true },
      { expectation: 'contains "east"', pass: false, message: 'missing "east"' },
      { expectation: 'ordered "East" < "North" < "West" < "South"', pass: true },
      {
        expectation: 'ordered "North" < "East"',
        pass: false,
        message: '"East" comes before "North"',
      },
      { expectation: "has a chart", pass: true },
      { expectation: "has a bar chart", pass: true },
      { expectation: "has a pie chart", pass: false, message: "no pie chart (charts: bar)" },
    ]);
    expect(run.passed).toBe(false);
  });

  it("JavaScript checkers: functions in a tasks module, and ./module.ts#name from a JSONL file", async () => {
    const checks = file(
      "checks.ts",
      `import type { EvalAnswer } from "codemode/eval";
export const leadsEast = (answer: EvalAnswer) => answer.text.startsWith("**East**");
export function usedChart(answer: EvalAnswer): string | true {
  return answer.toolCalls.some((c) => c.name === "create_chart") || "no create_chart call";
}
export const wantsPie = (answer: EvalAnswer) => ({ pass: answer.charts.some((c) => typeof c !== "string" && c.type === "pie"), message: "no pie" });
export function throws(): never { throw new Error("boom"); }
`,
    );
    const name = checks.split("/").at(-1)!;
    const jsonl = file(
      "tasks.jsonl",
      `${JSON.stringify({
        question: QUESTION,
        expect: [
          { check: `./${name}#leadsEast` },
          { check: `./${name}#usedChart` },
          { check: `./${name}#wantsPie` },
          { check: `./${name}#throws`, name: "explodes" },
        ],
      })}\n`,
    );
    const fromJsonl = await grade(jsonl);
    expect(fromJsonl.checks).toEqual([
      { expectation: `check ./${name}#leadsEast`, pass: true },
      { expectation: `check ./${name}#usedChart`, pass: true },
      { expectation: `check ./${name}#wantsPie`, pass: false, message: "no pie" },
      { expectation: "check explodes", pass: false, message: "the checker threw: boom" },
    ]);
    await llm!.close();

    const module = file(
      "tasks.ts",
      `import type { EvalAnswer, EvalTaskInput } from "codemode/eval";
export const tasks: EvalTaskInput[] = [
  { id: "module", question: ${JSON.stringify(QUESTION)}, expect: [
    { check: function chartTitled(answer: EvalAnswer) { return answer.charts.length === 1; } },
    { check: async (answer: EvalAnswer) => (answer.value as { summary: string }).summary.includes("West") ? true : "no West" },
  ] },
];
`,
    );
    const fromModule = await grade(module);
    expect(fromModule.taskId).toBe("module");
    expect(fromModule.checks).toEqual([
      { expectation: "check chartTitled", pass: true },
      { expectation: "check function", pass: true },
    ]);
    expect(fromModule.passed).toBe(true);
  });
});
