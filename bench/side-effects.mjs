#!/usr/bin/env node
/**
 * What the run's journal costs: `npm run build && node bench/side-effects.mjs [--json]`.
 *
 * One program makes 2000 calls to `inc(x)` through `execute()` (in-process, and across a
 * warmed pool of 2 workers):
 * - today's path: `inc` is `readOnlyHint: true`, so nothing is journaled (the baseline,
 *   measured in the same run, interleaved);
 * - journaled: `inc` has no annotations (it may change things), so each completed call is
 *   recorded: its arguments copied, its canonical key built, its entry kept;
 * - replayed: the same program again as a retry of the journaled one (the agent's
 *   `beginProgram`), so every call returns its recorded result without running.
 * Per call = (median program time − median time of the same loop without calls) / 2000.
 * Medians of 9 interleaved runs after 10 unmeasured ones of each.
 */
const { defineTool, execute, SandboxPool } = await import("codemode");
const { beginProgram, newJournal } = await import("../dist/execute/call-policy.js");
const { toJsonSafe } = await import("../dist/sandbox/values.js");

const json = process.argv.includes("--json");
const CALLS = 2000;
const RUNS = 9;
const WARMUP = 10;
const limits = { maxToolCalls: 1_000_000 };

const inc = (annotations) =>
  defineTool({
    name: "inc",
    inputSchema: { type: "object", properties: { x: { type: "integer" } }, required: ["x"] },
    ...(annotations ? { annotations } : {}),
    execute: ({ x }) => x + 1,
  });
const readOnly = [inc({ readOnlyHint: true })];
const sideEffect = [inc(undefined)];

const LOOP = `s = 0\nfor i in range(${CALLS}):\n    s = inc(s)\ns`;
const EMPTY = `s = 0\nfor i in range(${CALLS}):\n    s = s + 1\ns`;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(fn) {
  const t0 = performance.now();
  const result = await fn();
  if (!result.ok) throw new Error(result.error.message);
  return performance.now() - t0;
}

async function measure(isolation, pool) {
  const base = { isolation, limits, ...(pool ? { pool } : {}) };
  const samples = { empty: [], today: [], journaled: [], replayed: [] };
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const empty = await timed(() => execute(EMPTY, base));
    const journal = newJournal();
    const runToday = () => timed(() => execute(LOOP, { ...base, tools: readOnly }));
    const runJournaled = () =>
      timed(() => execute(LOOP, { ...base, tools: sideEffect, effects: journal }));
    // Alternating which goes first, so neither always gets the same worker or a warmer heap.
    let today;
    let journaled;
    if (i % 2 === 0) {
      today = await runToday();
      journaled = await runJournaled();
    } else {
      journaled = await runJournaled();
      today = await runToday();
    }
    if (journal.entries.length !== CALLS) throw new Error("the calls were not journaled");
    beginProgram(journal, 1, 2);
    let replays = 0;
    const replayed = await timed(() =>
      execute(LOOP, {
        ...base,
        tools: sideEffect,
        effects: journal,
        onToolResult: (r) => {
          if (r.replayed) replays += 1;
        },
      }),
    );
    if (replays !== CALLS) throw new Error(`expected ${CALLS} replays, got ${replays}`);
    if (i < WARMUP) continue;
    samples.empty.push(empty);
    samples.today.push(today);
    samples.journaled.push(journaled);
    samples.replayed.push(replayed);
  }
  const perCall = (key) => ((median(samples[key]) - median(samples.empty)) / CALLS) * 1000;
  return {
    today: perCall("today"),
    journaled: perCall("journaled"),
    replayed: perCall("replayed"),
  };
}

/** The journal's own work for one call (copy the arguments, keep the entry). */
function journalWork() {
  const N = 200_000;
  const samples = [];
  for (let r = 0; r < 5; r++) {
    const entries = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const args = toJsonSafe({ order_id: i, amount: 20 });
      entries.push({ tool: "refund", args, ok: true, value: i });
    }
    samples.push(((performance.now() - t0) / N) * 1000);
  }
  return median(samples);
}

const results = {};
const work = journalWork();
process.stderr.write("in-process...\n");
results["in-process"] = await measure("in-process");
process.stderr.write("across the pool...\n");
const pool = new SandboxPool({ size: 2 });
try {
  results.process = await measure("process", pool);
} finally {
  await pool.close();
}

if (json) {
  process.stdout.write(`${JSON.stringify({ journalWorkUs: work, ...results }, null, 2)}\n`);
} else {
  const f = (us) => `${us.toFixed(2)} µs`;
  const rows = [["isolation", "today (readOnlyHint)", "journaled", "ratio", "cost", "replayed"]];
  for (const [isolation, r] of Object.entries(results)) {
    rows.push([
      isolation,
      f(r.today),
      f(r.journaled),
      (r.journaled / r.today).toFixed(2),
      `${f(r.journaled - r.today)}${isolation === "in-process" ? (r.journaled - r.today < 2 ? " PASS (< 2 µs)" : " MISS (< 2 µs)") : ""}`,
      f(r.replayed),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows)
    process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i])).join("  ")}\n`);
  process.stdout.write(
    `\nThe journal's own work per call (arguments copied, entry kept; the canonical key is made only in a retry): ${f(work)}${work < 2 ? " PASS (< 2 µs)" : " MISS (< 2 µs)"}\n`,
  );
  process.stdout.write(
    `Per tool call, ${CALLS} calls per program, medians of ${RUNS} interleaved runs (Node ${process.version}).\n`,
  );
}
