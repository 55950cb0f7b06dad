/**
 * Scripts for the four questions of examples/data-tools/tasks.jsonl: code mode replies are
 * the example's recorded replay, in order; tool calling makes the calls a function-calling
 * model would, passing each tool's result on (so the rows travel through the model, as
 * they do in that mode). Tool calling gets `low-stock` wrong: a wrong dataset name first
 * (a failed tool call), then a wrong count (a failed check).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { QuestionScript } from "./scripted-llm.js";

export const EXAMPLE = join(import.meta.dirname, "../../examples/data-tools");
export const TOOLS = join(EXAMPLE, "tools.ts");
export const TASKS = join(EXAMPLE, "tasks.jsonl");
export const REPLAY = join(import.meta.dirname, "../../examples/replays/eval-data-tools.jsonl");

const tasks = readFileSync(TASKS, "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as { id: string; question: string });
const replies = readFileSync(REPLAY, "utf8")
  .trim()
  .split("\n")
  .map((line) => (JSON.parse(line) as { text: string }).text);

export const QUESTION: Record<string, string> = Object.fromEntries(
  tasks.map((t) => [t.id, t.question]),
);

type Row = Record<string, unknown>;
const rows = (previous: unknown[]) => previous[0] as Row[];
const chartOf = (title: string, key: string, value: string) => (previous: unknown[]) => {
  const ranked = [...rows(previous)].sort((a, b) => (b[value] as number) - (a[value] as number));
  return [
    {
      name: "create_chart",
      input: {
        chart_type: "bar",
        title,
        labels: ranked.map((r) => String(r[key])),
        datasets: [{ label: value, data: ranked.map((r) => r[value] as number) }],
      },
    },
  ];
};

const groupBy = (group_by: string, metrics: Record<string, string>) => ({
  calls: (previous: unknown[]) => [
    { name: "group_and_aggregate", input: { rows: rows(previous), group_by, metrics } },
  ],
});

export const SCRIPTS: Record<string, QuestionScript> = {
  [QUESTION["top-region"]!]: {
    code: replies.slice(0, 2),
    toolCalling: [
      {
        calls: [
          { name: "fetch_data", input: { dataset: "sales_2024", columns: ["region", "revenue"] } },
        ],
      },
      groupBy("region", { revenue: "sum:revenue" }),
      { calls: chartOf("Revenue by region, 2024", "region", "revenue") },
      {
        text: "**East** had the highest revenue in 2024: 425,397.07.\n\n1. East: 425,397.07\n2. North: 387,596.15\n3. West: 380,868.68\n4. South: 287,964.48",
      },
    ],
  },
  [QUESTION["top-department"]!]: {
    code: replies.slice(2, 5),
    toolCalling: [
      { calls: [{ name: "list_datasets", input: {} }] },
      {
        calls: [
          {
            name: "fetch_data",
            input: { dataset: "employees", columns: ["department", "salary"] },
          },
        ],
      },
      groupBy("department", { avg_salary: "mean:salary" }),
      { calls: chartOf("Average salary by department", "department", "avg_salary") },
      { text: "**Engineering** pays the most on average: 149,943 a year." },
    ],
  },
  [QUESTION["q3-ranking"]!]: {
    code: replies.slice(5, 6),
    toolCalling: [
      {
        calls: [
          {
            name: "fetch_data",
            input: {
              dataset: "sales_2024",
              filters: { date: { gte: "2024-07-01", lte: "2024-09-30" } },
              columns: ["region", "revenue"],
            },
          },
        ],
      },
      groupBy("region", { revenue: "sum:revenue" }),
      {
        text: "Q3 2024:\n1. East: 119,414.00\n2. West: 117,692.20\n3. North: 112,089.58\n4. South: 92,205.86",
      },
    ],
  },
  [QUESTION["low-stock"]!]: {
    code: replies.slice(6, 8),
    toolCalling: [
      { calls: [{ name: "fetch_data", input: { dataset: "inventory_2024" } }] },
      { calls: [{ name: "fetch_data", input: { dataset: "inventory" } }] },
      { text: "About 36 rows are at or below their reorder level, mostly in Dallas and Seattle." },
    ],
  },
};
