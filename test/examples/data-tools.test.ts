/**
 * The data-tools example driven the way the chat app drives it: Python a model would write,
 * run through `execute()`, with every number checked against an independent computation
 * over the datasets in TypeScript.
 */
import {
  closeDefaultSandboxPool,
  execute,
  formatDiagnostics,
  pythonSignature,
  pythonStub,
  typeCheckProgram,
} from "codemode";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildDatasets,
  DATASETS,
  DEFAULT_SEED,
  type Row,
} from "../../examples/data-tools/datasets.js";
import dataToolsDefault, {
  CHART_PALETTE,
  dataTools,
  nudges,
  tools,
} from "../../examples/data-tools/tools.js";
import { isTool } from "../../src/tools/define/define-tool.js";
import { expectError, expectOk } from "../helpers/results.js";

afterAll(() => closeDefaultSandboxPool());

const STUB = pythonStub(dataTools);

/**
 * Runs a program as the agent would: it must first pass the type check against the tools'
 * stub (what CodeModeAgent does before running), then it runs in the sandbox.
 */
function run(code: string) {
  expect(formatDiagnostics(typeCheckProgram(code, STUB))).toBe("");
  return execute(code, { tools: dataTools });
}

/** Runs a program without the type check (for programs that are meant to fail at run time). */
const runUnchecked = (code: string) => execute(code, { tools: dataTools });

const rowsOf = (name: string): readonly Row[] => DATASETS[name]!.rows;

/** Sums `value(row)` per `key(row)`, as an independent check on group_and_aggregate. */
function sumBy(
  rows: readonly Row[],
  key: (r: Row) => string,
  value: (r: Row) => number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + value(r));
  return out;
}

const sortedKeys = (m: Map<string, unknown>) => [...m.keys()].sort();

describe("data-tools module", () => {
  it("exports the tools as default and `tools`, with nudges for the chat app", () => {
    expect(dataToolsDefault).toBe(dataTools);
    expect(tools).toBe(dataTools);
    expect(dataTools.every(isTool)).toBe(true);
    expect(nudges).toHaveLength(4);
    for (const nudge of nudges) expect(nudge).toMatch(/\?|\.$/);
  });

  it("shows the model these signatures", () => {
    expect(dataTools.map(pythonSignature)).toEqual([
      "list_datasets() -> list[dict[str, Any]]",
      "fetch_data(dataset: str, filters: dict[str, Any] | None = None, columns: list[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]",
      "group_and_aggregate(rows: list[dict[str, Any]], group_by: str | list[str], metrics: dict[str, str]) -> list[dict[str, Any]]",
      'create_chart(chart_type: Literal["bar", "line", "pie", "doughnut", "scatter"], title: str, labels: list[str], datasets: list[CreateChartParamsDatasetsItem]) -> dict[str, Any]',
    ]);
  });
});

describe("datasets", () => {
  it("has four datasets of a few hundred rows with the documented columns", () => {
    expect(Object.keys(DATASETS)).toEqual([
      "sales_2024",
      "employees",
      "website_traffic",
      "inventory",
    ]);
    for (const dataset of Object.values(DATASETS)) {
      expect(dataset.rows.length).toBeGreaterThanOrEqual(200);
      expect(dataset.rows.length).toBeLessThan(1000);
      const names = dataset.columns.map((c) => c.name);
      for (const row of dataset.rows) expect(Object.keys(row)).toEqual(names);
    }
    const sales = rowsOf("sales_2024");
    for (const r of sales) {
      expect(r.date).toMatch(/^2024-\d{2}-\d{2}$/);
      expect(r.revenue).toBeCloseTo((r.units as number) * (r.unit_price as number), 2);
    }
    expect(sales[0]!.date).toBe("2024-01-01");
    expect(sales.at(-1)!.date).toBe("2024-12-31");
    expect(new Set(rowsOf("employees").map((r) => r.id)).size).toBe(rowsOf("employees").length);
    expect(new Set(rowsOf("employees").map((r) => typeof r.remote))).toEqual(new Set(["boolean"]));
  });

  it("is deterministic: the same seed gives the same rows, another seed other rows", () => {
    expect(buildDatasets(DEFAULT_SEED)).toEqual(DATASETS);
    expect(buildDatasets(DEFAULT_SEED)).toEqual(buildDatasets(DEFAULT_SEED));
    expect(buildDatasets(7).sales_2024!.rows).not.toEqual(DATASETS.sales_2024!.rows);
  });
});

describe("data tools through execute()", () => {
  it("answers 'which region led Q3 2024' with a summary and a bar chart", async () => {
    const result = await run(`
import datetime

rows = fetch_data(
    "sales_2024",
    filters={"date": {"gte": datetime.date(2024, 7, 1), "lte": "2024-09-30"}},
)
by_region = group_and_aggregate(rows, "region", {"revenue": "sum:revenue", "orders": "count"})
best = max(by_region, key=lambda r: r["revenue"])
total = sum(r["revenue"] for r in by_region)
chart = create_chart(
    "bar",
    "Q3 2024 revenue by region",
    [r["region"] for r in by_region],
    [{"label": "Revenue (USD)", "data": [r["revenue"] for r in by_region]}],
)
summary = f"{best['region']} had the highest Q3 revenue: {best['revenue']:.2f} USD ({best['revenue'] / total:.1%} of {total:.2f})."
{"summary": summary, "charts": [chart], "by_region": by_region}
`);
    const value = expectOk(result) as {
      summary: string;
      charts: Record<string, unknown>[];
      by_region: { region: string; revenue: number; orders: number }[];
    };

    const q3 = rowsOf("sales_2024").filter(
      (r) => (r.date as string) >= "2024-07-01" && (r.date as string) <= "2024-09-30",
    );
    const revenue = sumBy(
      q3,
      (r) => r.region as string,
      (r) => r.revenue as number,
    );
    const orders = sumBy(
      q3,
      (r) => r.region as string,
      () => 1,
    );
    const regions = sortedKeys(revenue);
    expect(regions).toEqual(["East", "North", "South", "West"]);
    expect(value.by_region.map((r) => r.region)).toEqual(regions);
    value.by_region.forEach((r) => {
      expect(r.revenue).toBeCloseTo(revenue.get(r.region)!, 6);
      expect(r.orders).toBe(orders.get(r.region));
    });
    const [bestRegion, bestRevenue] = [...revenue].sort((a, b) => b[1] - a[1])[0]!;
    expect(value.summary).toContain(
      `${bestRegion} had the highest Q3 revenue: ${bestRevenue.toFixed(2)} USD`,
    );

    expect(value.charts).toHaveLength(1);
    expect(value.charts[0]).toEqual({
      type: "bar",
      data: {
        labels: regions,
        datasets: [
          {
            label: "Revenue (USD)",
            data: value.by_region.map((r) => r.revenue),
            backgroundColor: `${CHART_PALETTE[0]}cc`,
            borderColor: CHART_PALETTE[0],
            borderWidth: 1,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          title: { display: true, text: "Q3 2024 revenue by region" },
          legend: { display: false, position: "top" },
        },
        scales: { y: { beginAtZero: true } },
      },
    });
    // The Q3 filter was applied on the host: one fetch, only Q3 rows crossed over.
    expect(result.toolCalls.map((c) => c.name)).toEqual([
      "fetch_data",
      "group_and_aggregate",
      "create_chart",
    ]);
    expect(result.toolCalls[0]!.args).toEqual({
      dataset: "sales_2024",
      filters: { date: { gte: "2024-07-01", lte: "2024-09-30" } },
    });
    expect((result.toolCalls[0]!.result as unknown[]).length).toBe(q3.length);
  });

  it("charts monthly revenue per category as a multi-line chart", async () => {
    const value = expectOk(
      await run(`
rows = fetch_data("sales_2024", columns=["date", "category", "revenue"])
for r in rows:
    r["month"] = r["date"][:7]
monthly = group_and_aggregate(rows, ["month", "category"], {"revenue": "sum:revenue"})
months = sorted(set(r["month"] for r in monthly))
categories = sorted(set(r["category"] for r in monthly))
lookup = {(r["month"], r["category"]): r["revenue"] for r in monthly}
series = [
    {"label": c, "data": [round(lookup.get((m, c), 0), 2) for m in months]}
    for c in categories
]
chart = create_chart("line", "Monthly revenue by category, 2024", months, series)
{"summary": f"{len(categories)} categories over {len(months)} months", "charts": [chart]}
`),
    ) as { summary: string; charts: { type: string; data: Record<string, unknown> }[] };

    const sales = rowsOf("sales_2024");
    const months = [...new Set(sales.map((r) => (r.date as string).slice(0, 7)))].sort();
    const categories = [...new Set(sales.map((r) => r.category as string))].sort();
    const totals = sumBy(
      sales,
      (r) => `${(r.date as string).slice(0, 7)}|${r.category}`,
      (r) => r.revenue as number,
    );
    expect(months).toHaveLength(12);
    expect(value.summary).toBe(`${categories.length} categories over 12 months`);

    const chart = value.charts[0]!;
    expect(chart.type).toBe("line");
    expect(chart.data.labels).toEqual(months);
    const series = chart.data.datasets as {
      label: string;
      data: number[];
      borderColor: string;
      fill: boolean;
    }[];
    expect(series.map((s) => s.label)).toEqual(categories);
    expect(series.map((s) => s.borderColor)).toEqual(CHART_PALETTE.slice(0, categories.length));
    series.forEach((s) => {
      expect(s.fill).toBe(false);
      s.data.forEach((y, i) => {
        expect(y).toBeCloseTo(totals.get(`${months[i]}|${s.label}`) ?? 0, 2);
      });
    });
  });

  it("reports average salary and remote share by department, with a doughnut of headcount", async () => {
    const value = expectOk(
      await run(`
staff = fetch_data("employees", columns=["department", "salary", "remote"])
stats = group_and_aggregate(staff, "department", {"avg_salary": "mean:salary", "headcount": "count"})
remote = group_and_aggregate(
    fetch_data("employees", filters={"remote": True}), "department", {"remote": "count"}
)
remote_by_dept = {r["department"]: r["remote"] for r in remote}
table = [
    {
        "department": s["department"],
        "avg_salary": round(s["avg_salary"]),
        "remote_share": round(remote_by_dept.get(s["department"], 0) / s["headcount"], 3),
    }
    for s in stats
]
top = sorted(table, key=lambda t: t["avg_salary"], reverse=True)[0]
chart = create_chart(
    "doughnut",
    "Headcount by department",
    [s["department"] for s in stats],
    [{"label": "Employees", "data": [s["headcount"] for s in stats]}],
)
{"summary": f"{top['department']} pays the most on average ({top['avg_salary']} USD).", "table": table, "charts": [chart]}
`),
    ) as {
      summary: string;
      table: { department: string; avg_salary: number; remote_share: number }[];
      charts: { type: string; data: { labels: string[]; datasets: Record<string, unknown>[] } }[];
    };

    const staff = rowsOf("employees");
    const byDept = new Map<string, Row[]>();
    for (const r of staff)
      byDept.set(r.department as string, [...(byDept.get(r.department as string) ?? []), r]);
    const departments = sortedKeys(byDept);
    expect(value.table.map((t) => t.department)).toEqual(departments);
    for (const t of value.table) {
      const people = byDept.get(t.department)!;
      const mean = people.reduce((a, r) => a + (r.salary as number), 0) / people.length;
      expect(t.avg_salary).toBe(Math.round(mean));
      const share = people.filter((r) => r.remote === true).length / people.length;
      expect(t.remote_share).toBeCloseTo(share, 3);
    }
    const top = [...value.table].sort((a, b) => b.avg_salary - a.avg_salary)[0]!;
    expect(value.summary).toBe(
      `${top.department} pays the most on average (${top.avg_salary} USD).`,
    );

    const chart = value.charts[0]!;
    expect(chart.type).toBe("doughnut");
    expect(chart.data.labels).toEqual(departments);
    expect(chart.data.datasets[0]).toMatchObject({
      label: "Employees",
      data: departments.map((d) => byDept.get(d)!.length),
      backgroundColor: departments.map((_, i) => CHART_PALETTE[i % CHART_PALETTE.length]),
    });
  });

  it("finds inventory at or below its reorder level", async () => {
    const value = expectOk(
      await run(`
stock = fetch_data("inventory", columns=["sku", "product", "warehouse", "quantity", "reorder_level"])
low = [r for r in stock if r["quantity"] <= r["reorder_level"]]
low = sorted(low, key=lambda r: (r["reorder_level"] - r["quantity"], r["sku"]), reverse=True)
{"count": len(low), "worst": low[0], "keys": [f"{r['sku']}@{r['warehouse']}" for r in low]}
`),
    ) as { count: number; worst: Record<string, unknown>; keys: string[] };

    const low = rowsOf("inventory").filter(
      (r) => (r.quantity as number) <= (r.reorder_level as number),
    );
    expect(low.length).toBeGreaterThan(0);
    expect(value.count).toBe(low.length);
    expect(new Set(value.keys)).toEqual(new Set(low.map((r) => `${r.sku}@${r.warehouse}`)));
    expect(Object.keys(value.worst)).toEqual([
      "sku",
      "product",
      "warehouse",
      "quantity",
      "reorder_level",
    ]);
    const maxShortfall = Math.max(
      ...low.map((r) => (r.reorder_level as number) - (r.quantity as number)),
    );
    expect((value.worst.reorder_level as number) - (value.worst.quantity as number)).toBe(
      maxShortfall,
    );
  });

  it("filters by list membership and numeric ranges, picks columns and limits rows", async () => {
    const value = expectOk(
      await run(`
social = fetch_data(
    "website_traffic",
    filters={"source": ["social", "paid"], "visits": {"gt": 500}, "date": {"lt": "2024-07-01"}},
    columns=["date", "source", "visits"],
)
first = fetch_data("website_traffic", limit=3)
totals = group_and_aggregate(social, [], {"visits": "sum:visits", "rows": "count", "peak": "max:visits", "first_month": "min:date"})
{"n": len(social), "first": first, "totals": totals, "keys": sorted(social[0].keys())}
`),
    ) as {
      n: number;
      first: Row[];
      totals: Record<string, unknown>[];
      keys: string[];
    };

    const traffic = rowsOf("website_traffic");
    const expected = traffic.filter(
      (r) =>
        ["social", "paid"].includes(r.source as string) &&
        (r.visits as number) > 500 &&
        (r.date as string) < "2024-07-01",
    );
    expect(value.n).toBe(expected.length);
    expect(value.keys).toEqual(["date", "source", "visits"]);
    expect(value.first).toEqual(traffic.slice(0, 3));
    expect(value.totals).toEqual([
      {
        visits: expected.reduce((a, r) => a + (r.visits as number), 0),
        rows: expected.length,
        peak: Math.max(...expected.map((r) => r.visits as number)),
        first_month: "2024-01-01",
      },
    ]);
  });

  it("lists the datasets with columns, types and row counts", async () => {
    const value = expectOk(await run("list_datasets()")) as {
      name: string;
      description: string;
      row_count: number;
      columns: { name: string; type: string; values?: string[]; min?: unknown; max?: unknown }[];
    }[];
    expect(value.map((d) => [d.name, d.row_count])).toEqual(
      Object.values(DATASETS).map((d) => [d.name, d.rows.length]),
    );
    const sales = value[0]!;
    expect(sales.columns.map((c) => [c.name, c.type])).toEqual([
      ["date", "date"],
      ["region", "str"],
      ["product", "str"],
      ["category", "str"],
      ["units", "int"],
      ["unit_price", "float"],
      ["revenue", "float"],
    ]);
    expect(sales.columns[1]!.values).toEqual(["East", "North", "South", "West"]);
    expect(sales.columns[0]).toMatchObject({ min: "2024-01-01", max: "2024-12-31" });
    const employees = value.find((d) => d.name === "employees")!;
    expect(employees.columns.find((c) => c.name === "remote")!.type).toBe("bool");
    // Free-text columns do not list their values.
    expect(employees.columns.find((c) => c.name === "name")!.values).toBeUndefined();
  });

  it("fetches several datasets at once with parallel_map", async () => {
    const value = expectOk(
      await run(`
names = [d["name"] for d in list_datasets()]
tables = parallel_map(fetch_data, names)
{name: len(rows) for name, rows in zip(names, tables)}
`),
    );
    expect(value).toEqual(
      Object.fromEntries(Object.values(DATASETS).map((d) => [d.name, d.rows.length])),
    );
  });

  it("returns the same rows every time", async () => {
    const code = `
a = fetch_data("sales_2024", filters={"region": "West"})
b = fetch_data("sales_2024", filters={"region": "West"})
{"same": a == b, "rows": a}
`;
    const first = expectOk(await run(code)) as { same: boolean; rows: Row[] };
    const second = expectOk(await run(code)) as { same: boolean; rows: Row[] };
    expect(first.same).toBe(true);
    expect(second.rows).toEqual(first.rows);
    expect(first.rows).toEqual(rowsOf("sales_2024").filter((r) => r.region === "West"));
  });
});

describe("data tool errors reach Python with messages the model can act on", () => {
  it("names every dataset when the dataset is unknown", async () => {
    const error = expectError(await run('fetch_data("sales")'));
    expect(error.type).toBe("ValueError");
    expect(error.message).toBe(
      'Unknown dataset "sales". Available datasets: sales_2024, employees, website_traffic, inventory.',
    );

    // And the program can recover from it.
    const value = expectOk(
      await run(`
try:
    rows = fetch_data("sales")
except ValueError as e:
    message = str(e)
    rows = fetch_data("sales_2024", limit=2)
{"message": message, "n": len(rows)}
`),
    ) as { message: string; n: number };
    expect(value.message).toContain("sales_2024, employees, website_traffic, inventory");
    expect(value.n).toBe(2);
  });

  it("lists the columns for an unknown column, in filters or in columns", async () => {
    const inFilters = expectError(await run('fetch_data("employees", filters={"dept": "HR"})'));
    expect(inFilters.type).toBe("ValueError");
    expect(inFilters.message).toBe(
      'Unknown column "dept" in filters for dataset employees. ' +
        "Columns: id, name, department, title, hire_date, salary, location, remote.",
    );
    const inColumns = expectError(await run('fetch_data("inventory", columns=["sku", "qty"])'));
    expect(inColumns.message).toContain('Unknown column "qty" in columns for dataset inventory');
    expect(inColumns.message).toContain("quantity");
  });

  it("explains bad filters: wrong case, range on text, unknown operator, wrong type", async () => {
    const wrongCase = expectError(
      await run('fetch_data("sales_2024", filters={"region": "west"})'),
    );
    expect(wrongCase.message).toBe(
      'No sales_2024 row has region == "west". Values of region: East, North, South, West.',
    );
    const rangeOnText = expectError(
      await run('fetch_data("sales_2024", filters={"region": {"gte": "A"}})'),
    );
    expect(rangeOnText.message).toContain("only apply to numeric and date columns");
    const badOp = expectError(
      await run('fetch_data("sales_2024", filters={"units": {"between": [1, 5]}})'),
    );
    expect(badOp.message).toContain('Unknown filter operator "between"');
    expect(badOp.message).toContain("gt, gte, lt, lte");
    const badType = expectError(
      await run('fetch_data("sales_2024", filters={"units": {"gte": "10"}})'),
    );
    expect(badType.message).toContain("expects a number");
  });

  it("rejects bad metric specs with the accepted forms", async () => {
    const cases: [string, string][] = [
      ['{"avg": "avg:revenue"}', 'Unknown aggregation "avg"'],
      ['{"total": "sum"}', 'names no column: write "sum:<column>"'],
      ['{"total": "sum:revnue"}', 'Unknown column "revnue"'],
      ['{"region": "count"}', "is also a group_by column"],
      ["{}", "metrics is empty"],
      ['{"x": "sum:product"}', "is not a number"],
    ];
    for (const [metrics, message] of cases) {
      const error = expectError(
        await run(`group_and_aggregate(fetch_data("sales_2024", limit=20), "region", ${metrics})`),
      );
      expect(error.type, metrics).toBe("ValueError");
      expect(error.message, metrics).toContain(message);
    }
    const badGroup = expectError(
      await run('group_and_aggregate(fetch_data("sales_2024", limit=5), "month", {"n": "count"})'),
    );
    expect(badGroup.message).toBe(
      'Unknown group_by column "month". Columns in rows: ' +
        "date, region, product, category, units, unit_price, revenue.",
    );
    // A metrics value that is not a string: the checker sees a dict where a dict is due
    // (it infers a dict's value types from its literal, a guess), so the program runs and
    // the argument validation stops the call.
    const notStringCode = 'group_and_aggregate([{"a": 1}], "a", {"n": 1})';
    expect(formatDiagnostics(typeCheckProgram(notStringCode, STUB, { all: true }))).toContain(
      "Expected `Mapping[str, str]`",
    );
    expect(typeCheckProgram(notStringCode, STUB)).toEqual([]);
    const notString = expectError(await runUnchecked(notStringCode));
    expect(notString.type).toBe("TypeError");
    expect(notString.message).toContain("argument 'metrics");
  });

  it("checks chart inputs: one value per label, known chart types", async () => {
    const mismatch = expectError(
      await run(
        'create_chart("bar", "Revenue", ["Q1", "Q2", "Q3"], [{"label": "2024", "data": [1, 2]}])',
      ),
    );
    expect(mismatch.type).toBe("ValueError");
    expect(mismatch.message).toBe(
      'datasets[0] ("2024") has 2 value(s) but there are 3 label(s); give exactly one value per label.',
    );
    const negative = expectError(
      await run('create_chart("pie", "Share", ["a", "b"], [{"label": "x", "data": [3, -1]}])'),
    );
    expect(negative.message).toContain("cannot show negative values");
    const histogram = 'create_chart("histogram", "x", ["a"], [{"label": "x", "data": [1]}])';
    expect(formatDiagnostics(typeCheckProgram(histogram, STUB))).toContain(
      'Literal["bar", "line", "pie", "doughnut", "scatter"]',
    );
    const badType = expectError(await runUnchecked(histogram));
    expect(badType.type).toBe("TypeError");
    expect(badType.message).toContain('"bar", "line", "pie", "doughnut", "scatter"');
  });

  it("builds scatter charts with numeric x values", async () => {
    const value = expectOk(
      await run(`
rows = fetch_data("website_traffic", filters={"page": "/docs", "source": "organic"})
create_chart(
    "scatter",
    "Visits vs. session length",
    [str(r["visits"]) for r in rows],
    [{"label": "/docs (organic)", "data": [r["avg_session_seconds"] for r in rows]}],
)
`),
    ) as {
      type: string;
      data: { datasets: { data: { x: number; y: number }[] }[] };
      options: { scales: unknown };
    };
    const rows = rowsOf("website_traffic").filter(
      (r) => r.page === "/docs" && r.source === "organic",
    );
    expect(value.type).toBe("scatter");
    expect(value.data.datasets[0]!.data).toEqual(
      rows.map((r) => ({ x: r.visits, y: r.avg_session_seconds })),
    );
    expect(value.options.scales).toEqual({ x: { type: "linear" } });
  });
});
