/**
 * The data tools of the CodeModeAgent chat example: fetch rows from four built-in
 * datasets, list them, group and aggregate rows, and turn numbers into a Chart.js
 * configuration the chat UI can render. A model answers a question like "Which region had
 * the highest revenue in Q3 2024?" with one short Python program that calls these tools.
 *
 * Load them with `codemode run --tools examples/data-tools/tools.ts` (or `--demo`), or
 * import them, built into the package: `import { tools } from "codemode/examples/data-tools"`.
 */
import { defineTool, type Tool, ToolError } from "codemode";
import { z } from "zod";
import { type ColumnInfo, DATASETS, type Dataset, type Row } from "./datasets.js";

/** Raised into Python as `ValueError`, so `str(e)` is exactly `message`. */
const valueError = (message: string) => new ToolError(message, { pythonType: "ValueError" });

const DATASET_NAMES = Object.keys(DATASETS);

function getDataset(name: string): Dataset {
  const dataset = Object.hasOwn(DATASETS, name) ? DATASETS[name] : undefined;
  if (!dataset) {
    throw valueError(
      `Unknown dataset ${JSON.stringify(name)}. Available datasets: ${DATASET_NAMES.join(", ")}.`,
    );
  }
  return dataset;
}

function getColumn(dataset: Dataset, name: string, where: string): ColumnInfo {
  const column = dataset.columns.find((c) => c.name === name);
  if (!column) {
    throw valueError(
      `Unknown column ${JSON.stringify(name)} in ${where} for dataset ${dataset.name}. ` +
        `Columns: ${dataset.columns.map((c) => c.name).join(", ")}.`,
    );
  }
  return column;
}

/** Distinct values of a text column, sorted; undefined when there are more than `max`. */
function distinctValues(dataset: Dataset, column: string, max: number): string[] | undefined {
  const seen = new Set<string>();
  for (const row of dataset.rows) {
    seen.add(String(row[column]));
    if (seen.size > max) return undefined;
  }
  return [...seen].sort();
}

// ---------------------------------------------------------------------------------------
// list_datasets

const columnSummary = (dataset: Dataset, column: ColumnInfo) => {
  const summary: Record<string, unknown> = { ...column };
  if (column.type === "str") {
    const values = distinctValues(dataset, column.name, 12);
    if (values) summary.values = values;
  } else if (column.type !== "bool") {
    // Numbers, or dates as "YYYY-MM-DD" strings (which sort like dates).
    const values = dataset.rows.map((r) => r[column.name] as string | number);
    const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    summary.min = sorted[0];
    summary.max = sorted[sorted.length - 1];
  }
  return summary;
};

export const listDatasets = defineTool({
  name: "list_datasets",
  description: `List the datasets fetch_data can read: name, description, row_count, and columns.
    Each column has name, type ("str", "int", "float", "date" or "bool"; dates are
    "YYYY-MM-DD" strings) and description; text columns with few distinct values list them
    under "values", numeric and date columns give "min" and "max".`,
  outputSchema: z.array(z.record(z.string(), z.unknown())),
  execute: () =>
    Object.values(DATASETS).map((dataset) => ({
      name: dataset.name,
      description: dataset.description,
      row_count: dataset.rows.length,
      columns: dataset.columns.map((c) => columnSummary(dataset, c)),
    })),
});

// ---------------------------------------------------------------------------------------
// fetch_data

const RANGE_OPERATORS = ["gt", "gte", "lt", "lte"] as const;
type RangeOperator = (typeof RANGE_OPERATORS)[number];

type Predicate = (row: Row) => boolean;
type Bound = string | number | boolean;

const COMPARE: Record<RangeOperator, (x: Bound, bound: Bound) => boolean> = {
  gt: (x, bound) => x > bound,
  gte: (x, bound) => x >= bound,
  lt: (x, bound) => x < bound,
  lte: (x, bound) => x <= bound,
};

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}/;

/** A filter value checked against the column type; dates may be full ISO datetimes. */
function filterScalar(dataset: Dataset, column: ColumnInfo, value: unknown, where: string) {
  const bad = (expected: string) =>
    valueError(
      `Filter ${where} on ${dataset.name}.${column.name} (${column.type}) expects ${expected}, ` +
        `got ${value === null ? "None" : JSON.stringify(value)}.`,
    );
  switch (column.type) {
    case "int":
    case "float":
      if (typeof value === "bigint") return Number(value);
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad("a number");
      return value;
    case "bool":
      if (typeof value !== "boolean") throw bad("True or False");
      return value;
    case "date":
      if (typeof value !== "string" || !DATE_PATTERN.test(value)) {
        throw bad('a "YYYY-MM-DD" string or a datetime.date');
      }
      return value.slice(0, 10);
    case "str":
      if (typeof value !== "string") throw bad("a string");
      return value;
  }
}

function equalityPredicate(dataset: Dataset, column: ColumnInfo, value: unknown): Predicate {
  const wanted = filterScalar(dataset, column, value, "value");
  if (column.type === "str") {
    // A category that does not exist is almost always a typo or the wrong case: say so
    // instead of quietly returning no rows.
    const values = distinctValues(dataset, column.name, 30);
    if (values && !values.includes(wanted as string)) {
      throw valueError(
        `No ${dataset.name} row has ${column.name} == ${JSON.stringify(wanted)}. ` +
          `Values of ${column.name}: ${values.join(", ")}.`,
      );
    }
  }
  return (row) => row[column.name] === wanted;
}

function columnPredicate(dataset: Dataset, column: ColumnInfo, spec: unknown): Predicate {
  if (Array.isArray(spec)) {
    const options = spec.map((v) => equalityPredicate(dataset, column, v));
    return (row) => options.some((p) => p(row));
  }
  if (typeof spec !== "object" || spec === null) return equalityPredicate(dataset, column, spec);

  if (column.type !== "int" && column.type !== "float" && column.type !== "date") {
    throw valueError(
      `Range filters ({"gte": ..., "lte": ...}) only apply to numeric and date columns; ` +
        `${dataset.name}.${column.name} is ${column.type}. Filter it by value instead, ` +
        `e.g. {${JSON.stringify(column.name)}: "..."}.`,
    );
  }
  const bounds: [RangeOperator, Bound][] = [];
  for (const [op, value] of Object.entries(spec)) {
    if (!(RANGE_OPERATORS as readonly string[]).includes(op)) {
      throw valueError(
        `Unknown filter operator ${JSON.stringify(op)} on ${dataset.name}.${column.name}. ` +
          `Use ${RANGE_OPERATORS.join(", ")}, e.g. {"gte": ..., "lte": ...}.`,
      );
    }
    bounds.push([op as RangeOperator, filterScalar(dataset, column, value, `"${op}"`)]);
  }
  if (bounds.length === 0) {
    throw valueError(`Empty range filter on ${dataset.name}.${column.name}.`);
  }
  return (row) => {
    const x = row[column.name] as string | number;
    return bounds.every(([op, bound]) => COMPARE[op](x, bound));
  };
}

export const fetchData = defineTool({
  name: "fetch_data",
  description: `Fetch rows of a dataset as a list of dicts (one dict per row, keyed by
    column), in the dataset's natural order. Filter on the host rather than in Python when
    you can. Raises ValueError for an unknown dataset, column, category value or operator;
    the message lists the valid choices.`,
  inputSchema: z.object({
    dataset: z
      .string()
      .describe(
        `Dataset name: ${DATASET_NAMES.join(", ")}. Call list_datasets() for their columns.`,
      ),
    filters: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        `Column name -> condition; a row must meet every condition. A plain value means
        equality ({"region": "West"}); a list means any of its values
        ({"region": ["East", "West"]}); numeric and date columns also take a range dict with
        any of "gt", "gte", "lt", "lte" ({"date": {"gte": "2024-07-01", "lte": "2024-09-30"}},
        {"units": {"gt": 10}}). Dates are "YYYY-MM-DD" strings (datetime.date works too).`,
      ),
    columns: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("Only these columns, in this order (default: all columns)."),
    limit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("At most this many rows, taken after filtering (default: all)."),
  }),
  outputSchema: z.array(z.record(z.string(), z.unknown())),
  execute: ({ dataset: name, filters, columns, limit }) => {
    const dataset = getDataset(name);
    const predicates = Object.entries(filters ?? {}).map(([key, spec]) =>
      columnPredicate(dataset, getColumn(dataset, key, "filters"), spec),
    );
    const keep = (columns ?? dataset.columns.map((c) => c.name)).map(
      (c) => getColumn(dataset, c, "columns").name,
    );
    const out: Record<string, unknown>[] = [];
    for (const row of dataset.rows) {
      if (limit !== undefined && out.length >= limit) break;
      if (predicates.every((p) => p(row))) {
        out.push(Object.fromEntries(keep.map((c) => [c, row[c]])));
      }
    }
    return out;
  },
});

// ---------------------------------------------------------------------------------------
// group_and_aggregate

const AGGREGATIONS = ["sum", "mean", "min", "max", "count"] as const;
type Aggregation = (typeof AGGREGATIONS)[number];

interface Metric {
  output: string;
  op: Aggregation;
  column?: string;
}

function parseMetric(output: string, spec: string, known: ReadonlySet<string>): Metric {
  const where = `metrics[${JSON.stringify(output)}] = ${JSON.stringify(spec)}`;
  const [rawOp = "", ...rest] = spec.split(":");
  const op = rawOp.trim().toLowerCase();
  const column = rest.length > 0 ? rest.join(":").trim() : undefined;
  if (!(AGGREGATIONS as readonly string[]).includes(op)) {
    throw valueError(
      `Unknown aggregation ${JSON.stringify(rawOp)} in ${where}. Use "sum:col", "mean:col", ` +
        `"min:col", "max:col" or "count", e.g. {"total_revenue": "sum:revenue"}.`,
    );
  }
  if (op === "count") {
    if (column !== undefined && column !== "") return checkColumn({ output, op, column });
    return { output, op };
  }
  if (!column) {
    throw valueError(
      `${where} names no column: write "${op}:<column>", e.g. "${op}:revenue". ` +
        `Only "count" needs no column.`,
    );
  }
  return checkColumn({ output, op: op as Aggregation, column });

  function checkColumn(metric: Metric): Metric {
    if (known.size > 0 && !known.has(metric.column!)) {
      throw valueError(
        `Unknown column ${JSON.stringify(metric.column)} in ${where}. ` +
          `Columns in rows: ${[...known].join(", ")}.`,
      );
    }
    return metric;
  }
}

type Scalar = string | number | boolean | null;

/** Python's ordering for sort keys of one type; None last; mixed types by type name. */
function compareScalars(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Removes float noise such as 92205.85999999999 without touching real precision. */
const clean = (x: number) => Number(x.toPrecision(12));

function aggregate(metric: Metric, rows: readonly Record<string, unknown>[]): Scalar {
  if (metric.op === "count" && metric.column === undefined) return rows.length;
  const column = metric.column!;
  const values = rows.map((r) => r[column]).filter((v) => v !== null && v !== undefined);
  if (metric.op === "count") return values.length;
  if (values.length === 0) return null;
  if (metric.op === "min" || metric.op === "max") {
    const sign = metric.op === "min" ? 1 : -1;
    const comparable = values.map((v) => (typeof v === "bigint" ? Number(v) : v));
    const kinds = new Set<string>(comparable.map((v) => typeof v));
    if (kinds.size > 1 || !["number", "string", "boolean"].some((k) => kinds.has(k))) {
      throw valueError(
        `Cannot take ${metric.op} of column ${JSON.stringify(column)}: its values mix ` +
          `${[...kinds].join(" and ")}.`,
      );
    }
    return (comparable as Scalar[]).reduce((a, b) => (sign * compareScalars(b, a) < 0 ? b : a));
  }
  let total = 0;
  for (const v of values) {
    const x = typeof v === "bigint" ? Number(v) : v;
    if (typeof x !== "number") {
      throw valueError(
        `Cannot ${metric.op} column ${JSON.stringify(column)}: ${JSON.stringify(v)} is not a ` +
          `number. Use "count" or "min"/"max" for text columns.`,
      );
    }
    total += x;
  }
  return clean(metric.op === "sum" ? total : total / values.length);
}

export const groupAndAggregate = defineTool({
  name: "group_and_aggregate",
  description: `Group rows (as returned by fetch_data) by one or more columns and compute
    metrics per group. Returns one dict per group holding the group_by columns followed by
    the metrics, sorted by the group_by columns. Missing or None values are skipped by
    sum, mean, min, max and "count:col". Raises ValueError for an unknown column or a bad
    metric spec.`,
  inputSchema: z.object({
    rows: z
      .array(z.record(z.string(), z.unknown()))
      .describe("The rows to group, e.g. the result of fetch_data(...)."),
    group_by: z.union([z.string(), z.array(z.string())]).describe(
      `A column name, or a list of them for nested groups (["region", "category"]). An
        empty list puts all rows in one group (grand totals).`,
    ),
    metrics: z.record(z.string(), z.string()).describe(
      `Output column -> aggregation: "sum:<col>", "mean:<col>", "min:<col>", "max:<col>"
        or "count" (rows in the group). Example: {"total_revenue": "sum:revenue",
        "avg_price": "mean:unit_price", "orders": "count"}.`,
    ),
  }),
  outputSchema: z.array(z.record(z.string(), z.unknown())),
  execute: ({ rows, group_by, metrics }) => {
    const keys = typeof group_by === "string" ? [group_by] : group_by;
    const known = new Set<string>();
    for (const row of rows) for (const k of Object.keys(row)) known.add(k);
    const columnList = () => (known.size > 0 ? [...known].join(", ") : "(no rows)");

    if (new Set(keys).size !== keys.length) {
      throw valueError(`group_by lists a column twice: ${JSON.stringify(keys)}.`);
    }
    for (const key of keys) {
      if (rows.length > 0 && !known.has(key)) {
        throw valueError(
          `Unknown group_by column ${JSON.stringify(key)}. Columns in rows: ${columnList()}.`,
        );
      }
    }
    const specs = Object.entries(metrics);
    if (specs.length === 0) {
      throw valueError('metrics is empty: give at least one, e.g. {"orders": "count"}.');
    }
    const parsed = specs.map(([output, spec]) => {
      if (keys.includes(output)) {
        throw valueError(
          `Metric name ${JSON.stringify(output)} is also a group_by column; pick another name.`,
        );
      }
      return parseMetric(output, spec, known);
    });

    const groups = new Map<string, { key: Scalar[]; rows: Record<string, unknown>[] }>();
    for (const row of rows) {
      const key = keys.map((k) => {
        const v = row[k];
        if (v === undefined || v === null) return null;
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
        if (typeof v === "bigint") return Number(v);
        throw valueError(
          `Cannot group by ${JSON.stringify(k)}: it holds a ${Array.isArray(v) ? "list" : "dict"}.`,
        );
      });
      const id = JSON.stringify(key);
      let group = groups.get(id);
      if (!group) {
        group = { key, rows: [] };
        groups.set(id, group);
      }
      group.rows.push(row);
    }
    if (keys.length === 0 && groups.size === 0) groups.set("[]", { key: [], rows: [] });

    return [...groups.values()]
      .sort((a, b) => {
        for (let i = 0; i < keys.length; i++) {
          const c = compareScalars(a.key[i] ?? null, b.key[i] ?? null);
          if (c !== 0) return c;
        }
        return 0;
      })
      .map((group) => ({
        ...Object.fromEntries(keys.map((k, i) => [k, group.key[i]])),
        ...Object.fromEntries(parsed.map((m) => [m.output, aggregate(m, group.rows)])),
      }));
  },
});

// ---------------------------------------------------------------------------------------
// create_chart

/** Tableau 10: distinct, colour-blind friendly, readable on white. */
export const CHART_PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
] as const;

const color = (i: number) => CHART_PALETTE[i % CHART_PALETTE.length]!;
/** `#rrggbb` plus an alpha byte, for translucent fills. */
const translucent = (hex: string, alpha = 0.25) =>
  hex +
  Math.round(alpha * 255)
    .toString(16)
    .padStart(2, "0");

const CHART_TYPES = ["bar", "line", "pie", "doughnut", "scatter"] as const;
type ChartType = (typeof CHART_TYPES)[number];

const NUMERIC_LABEL = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function chartDataset(
  type: ChartType,
  dataset: { label: string; data: number[] },
  index: number,
  labels: readonly string[],
  numericX: boolean,
): Record<string, unknown> {
  const base = color(index);
  switch (type) {
    case "pie":
    case "doughnut":
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: labels.map((_, i) => color(i)),
        borderColor: "#ffffff",
        borderWidth: 2,
      };
    case "line":
      return {
        label: dataset.label,
        data: dataset.data,
        borderColor: base,
        backgroundColor: translucent(base),
        borderWidth: 2,
        pointRadius: 3,
        tension: 0.3,
        fill: false,
      };
    case "scatter":
      return {
        label: dataset.label,
        data: dataset.data.map((y, i) => ({ x: numericX ? Number(labels[i]) : labels[i], y })),
        backgroundColor: translucent(base, 0.7),
        borderColor: base,
        pointRadius: 4,
      };
    case "bar":
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: translucent(base, 0.8),
        borderColor: base,
        borderWidth: 1,
      };
  }
}

export const createChart = defineTool({
  name: "create_chart",
  description: `Build a Chart.js chart configuration for the chat UI to draw: put the returned
    dict in your result, e.g. {"summary": "...", "charts": [chart]}. Every dataset needs one
    value per label. Colours come from a fixed palette (one per dataset; one per slice for
    pie and doughnut). For scatter, labels are the x values (numeric strings give a numeric
    x axis).`,
  inputSchema: z.object({
    chart_type: z.enum(CHART_TYPES).describe(
      `"bar" to compare categories, "line" for a trend over time, "pie" or "doughnut" for
        shares of a whole (non-negative values), "scatter" for x/y relationships.`,
    ),
    title: z.string().describe("Chart title shown above the chart."),
    labels: z
      .array(z.string())
      .min(1)
      .describe('Category (x axis) labels, e.g. ["East", "North"] or ["2024-01", "2024-02"].'),
    datasets: z
      .array(
        z.object({
          label: z.string().describe("Series name shown in the legend."),
          data: z.array(z.number()).describe("One number per label, in label order."),
        }),
      )
      .min(1)
      .describe(
        `One or more series: [{"label": "Revenue", "data": [120.5, 98.0]}]. Several series
        give grouped bars or several lines.`,
      ),
  }),
  outputSchema: z
    .record(z.string(), z.unknown())
    .describe("A Chart.js config: type, data, options."),
  execute: ({ chart_type, title, labels, datasets }) => {
    datasets.forEach((d, i) => {
      const name = `datasets[${i}] (${JSON.stringify(d.label)})`;
      if (d.data.length !== labels.length) {
        throw valueError(
          `${name} has ${d.data.length} value(s) but there are ${labels.length} label(s); ` +
            "give exactly one value per label.",
        );
      }
      const bad = d.data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) {
        throw valueError(
          `${name}: value ${bad} (label ${JSON.stringify(labels[bad])}) is not a finite number.`,
        );
      }
      if ((chart_type === "pie" || chart_type === "doughnut") && d.data.some((x) => x < 0)) {
        throw valueError(`${name}: a ${chart_type} chart cannot show negative values.`);
      }
    });
    const numericX = chart_type === "scatter" && labels.every((l) => NUMERIC_LABEL.test(l));
    const circular = chart_type === "pie" || chart_type === "doughnut";
    const options: Record<string, unknown> = {
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        title: { display: true, text: title },
        legend: { display: circular || datasets.length > 1, position: "top" },
      },
    };
    if (chart_type === "bar" || chart_type === "line") {
      options.scales = { y: { beginAtZero: chart_type === "bar" } };
    } else if (chart_type === "scatter") {
      options.scales = { x: { type: numericX ? "linear" : "category" } };
    }
    return {
      type: chart_type,
      data: {
        labels: [...labels],
        datasets: datasets.map((d, i) => chartDataset(chart_type, d, i, labels, numericX)),
      },
      options,
    };
  },
});

// ---------------------------------------------------------------------------------------

/** The example's tools, in the order the model should meet them. */
export const dataTools: Tool[] = [listDatasets, fetchData, groupAndAggregate, createChart];

/** Also under the name the CLI looks for (`--tools examples/data-tools/tools.ts`). */
export const tools: Tool[] = dataTools;

export default dataTools;

/** Suggested first questions for the chat app. */
export const nudges: string[] = [
  "Which region had the highest revenue in Q3 2024? Show a bar chart by region.",
  "Plot monthly revenue for 2024 as a line chart, one line per product category.",
  "What is the average salary by department, and what share of each department works remotely?",
  "Which products are at or below their reorder level, and in which warehouses? Chart the shortfall.",
];
