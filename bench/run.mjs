#!/usr/bin/env node
/**
 * codemode's benchmark: `npm run bench` (builds first, then runs this file against dist/).
 *
 * Prints one table: each metric with our number, a baseline measured in the same run,
 * the ratio between them, and the target with PASS/MISS. See bench/README.md for what
 * each metric means and how it is measured.
 *
 * `node bench/run.mjs --child <mode>` is used internally to time a cold import in a
 * fresh process.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PEER_DIR = fileURLToPath(new URL("./peer/", import.meta.url));

/** Tool calls per program when measuring per-call overhead. */
const CALLS = 2000;
/** Repetitions of each per-call program (the median is kept). */
const REPS = 7;
/**
 * Unmeasured runs of each per-call program first. V8 needs 10-20k calls through the
 * dispatcher before it settles: the first 2000-call run costs ~2.5x a warmed one.
 */
const WARMUP_REPS = 10;
/** Fresh tiny runs per mode (the median is kept). */
const FRESH_RUNS = 200;
/** parallel_map: this many tools of TOOL_MS each, all in flight at once. */
const PMAP_N = 16;
const TOOL_MS = 50;
/** How long the CPU-bound program runs while the host's event loop is watched. */
const SPIN_MS = 1000;
/** Cold-start children per mode (the median is kept). */
const COLD_RUNS = 3;

/** Measured earlier on this machine, used when the peer is not installed. */
const PEER_REFERENCE = { freshMs: 12.6, perCallMs: 0.7, rawMontyFreshUs: 11, rawMontyPerCallUs: 7 };

if (process.argv[2] === "--child") {
  await child(process.argv[3]);
} else {
  await main();
}

async function main() {
  const started = performance.now();
  const cpuBefore = cpuTicks();
  const codemode = await import("codemode");
  const { execute, SandboxPool, closeDefaultSandboxPool } = codemode;
  const log = (text) => process.stderr.write(`  ${text}\n`);
  const rows = [];
  const warnings = new Map();
  process.on("warning", (warning) => {
    warnings.set(warning.name, (warnings.get(warning.name) ?? 0) + 1);
  });

  // One warmed pool for every "across the pool" number: sequential runs, so its size
  // barely matters; 2 workers matches this machine's cores.
  const pool = new SandboxPool({ size: 2 });
  await pool.warm();
  const inProcess = { isolation: "in-process" };
  const viaPool = { isolation: "process", pool };

  // ---- per-tool-call overhead --------------------------------------------------------
  log("per-tool-call overhead ...");
  function inc(x) {
    return x + 1;
  }
  const withCalls = `s = 0\nfor i in range(${CALLS}):\n    s = inc(s)\ns`;
  const withoutCalls = `s = 0\nfor i in range(${CALLS}):\n    s = s + 1\ns`;
  const callLimits = { maxToolCalls: CALLS + 10 };
  const perCall = async (options) => {
    const run = async (code) => {
      const result = await execute(code, { tools: [inc], limits: callLimits, ...options });
      if (!result.ok || result.value !== CALLS) {
        throw new Error(`per-call program failed: ${JSON.stringify(result.error ?? result.value)}`);
      }
    };
    return perCallOverhead(run, withCalls, withoutCalls, CALLS);
  };
  const direct = await directCallCost(inc);
  const rawMonty = await rawMontyCosts(inc, withCalls, withoutCalls);
  const inProcessCall = await perCall(inProcess);
  const poolCall = await perCall(viaPool);
  rows.push(
    row("tool call, in-process", ms(inProcessCall), ms(direct), "direct JS call", "<=", micros(15)),
    row(
      "tool call, across the pool",
      ms(poolCall),
      ms(direct),
      "direct JS call",
      "<=",
      micros(100),
    ),
    row("  in-process vs raw Monty loop", ms(inProcessCall), ms(rawMonty.perCall), "raw Monty"),
    row("  pool vs in-process (IPC hop)", ms(poolCall), ms(inProcessCall), "in-process"),
  );

  // ---- fresh tiny run ---------------------------------------------------------------
  log("fresh tiny run ...");
  const tiny = async (options) => {
    const result = await execute("1 + 1", options);
    if (!result.ok || result.value !== 2) throw new Error("tiny program failed");
  };
  const vmRun = () => {
    if (vm.runInContext("1 + 1", vm.createContext({})) !== 2) throw new Error("vm failed");
  };
  const vmFresh = await medianOf(FRESH_RUNS, vmRun);
  const freshInProcess = await medianOf(FRESH_RUNS, () => tiny(inProcess));
  const freshPool = await medianOf(FRESH_RUNS, () => tiny(viaPool));
  rows.push(
    row("fresh tiny run, in-process", ms(freshInProcess), ms(vmFresh), "node:vm context"),
    row(
      "fresh tiny run, across the pool",
      ms(freshPool),
      ms(vmFresh),
      "node:vm context",
      "<=",
      micros(500),
    ),
    row("  in-process vs raw Monty", ms(freshInProcess), ms(rawMonty.fresh), "raw Monty"),
  );

  // ---- parallel_map -----------------------------------------------------------------
  log("parallel_map ...");
  const sleep = (msecs) => new Promise((resolve) => setTimeout(resolve, msecs));
  async function slow(x) {
    await sleep(TOOL_MS);
    return x;
  }
  const ideal = Math.ceil(PMAP_N / 16) * TOOL_MS;
  const pmapCode = `len(parallel_map(slow, range(${PMAP_N})))`;
  const pmap = async (options) => {
    const result = await execute(pmapCode, { tools: [slow], ...options });
    if (!result.ok || result.value !== PMAP_N) throw new Error("parallel_map program failed");
  };
  const jsAll = await medianOf(5, () => Promise.all(Array.from({ length: PMAP_N }, slow)));
  const pmapInProcess = await medianOf(5, () => pmap(inProcess));
  const pmapPool = await medianOf(5, () => pmap(viaPool));
  const pmapLabel = `parallel_map ${PMAP_N} x ${TOOL_MS} ms`;
  rows.push(
    row(`${pmapLabel}, in-process`, ms(pmapInProcess), ms(ideal), "ideal", "x<=", 1.1),
    row(`${pmapLabel}, across the pool`, ms(pmapPool), ms(ideal), "ideal", "x<=", 1.1),
    row("  JS Promise.all of the same tools", ms(jsAll), ms(ideal), "ideal"),
  );

  // ---- event-loop lag ----------------------------------------------------------------
  log("event-loop lag ...");
  const spinCode = "while True:\n    pass";
  const spin = async (options) => {
    const result = await execute(spinCode, { limits: { timeoutMs: SPIN_MS }, ...options });
    if (result.ok || result.error.type !== "TimeoutError") {
      throw new Error(`busy loop should time out: ${JSON.stringify(result)}`);
    }
    return result.durationMs;
  };
  const idleLag = await lagWhile(() => sleep(SPIN_MS / 2));
  const poolLag = await lagWhile(() => spin(viaPool));
  const inProcessLag = await lagWhile(() => spin(inProcess));
  const busy = `${(SPIN_MS / 1000).toFixed(0)} s busy loop`;
  rows.push(
    row(`event-loop lag p50, pool (${busy})`, ms(poolLag.p50), ms(idleLag.p50), "idle host"),
    row(
      `event-loop lag p99, pool (${busy})`,
      ms(poolLag.p99),
      ms(idleLag.p99),
      "idle host",
      "<",
      ms(20),
    ),
    row("  lag max, pool", ms(poolLag.max), ms(idleLag.max), "idle host"),
    row(
      "  lag max, in-process (blocks; no target)",
      ms(inProcessLag.max),
      ms(idleLag.max),
      "idle host",
    ),
  );

  // ---- import + first run (fresh node processes) -----------------------------------
  log("import + first run (fresh processes) ...");
  const cold = await coldRuns("codemode");
  const coldMonty = await coldRuns("monty");
  rows.push(
    row(
      "import + first run, in-process",
      ms(cold.importAndFirst),
      ms(coldMonty.importAndFirst),
      "raw Monty import+run",
      "<",
      ms(50),
    ),
    row("  of which import", ms(cold.import), ms(coldMonty.import), "raw Monty import"),
    row(
      "first run across the pool (spawns worker)",
      ms(cold.firstPool),
      ms(cold.importAndFirst),
      "in-process first",
    ),
  );

  // ---- the peer: @ai-sdk/code-mode (QuickJS in worker threads) ---------------------
  log("peer ...");
  const peer = await measurePeer();
  const peerTag = peer.live
    ? "@ai-sdk/code-mode (live)"
    : "reference (measured earlier on this machine)";
  rows.push(
    row("peer fresh tiny run", ms(peer.freshMs), ms(freshPool), "ours, pool"),
    row("peer tool call", ms(peer.perCallMs), ms(poolCall), "ours, pool"),
    row(
      "speedup vs peer, fresh run (pool)",
      times(peer.freshMs / freshPool),
      ms(freshPool),
      "ours, pool",
      "x>=",
      25,
    ),
    row(
      "speedup vs peer, tool call (pool)",
      times(peer.perCallMs / poolCall),
      ms(poolCall),
      "ours, pool",
      "x>=",
      25,
    ),
  );

  await keepAlive(() => pool.close());
  await keepAlive(() => closeDefaultSandboxPool());

  printTable(rows);
  const notes = [
    `peer: ${peerTag}${peer.note ? ` — ${peer.note}` : ""}`,
    `raw Monty (same run): fresh run ${fmt(ms(rawMonty.fresh))}, tool call ${fmt(ms(rawMonty.perCall))}` +
      ` (earlier reference: ${PEER_REFERENCE.rawMontyFreshUs} µs, ${PEER_REFERENCE.rawMontyPerCallUs} µs)`,
    `first pool run in a fresh process (spawn + worker import) ${fmt(ms(cold.firstPool))}; raw Monty cold import+run ${fmt(ms(coldMonty.importAndFirst))}`,
    `node ${process.version}, ${CALLS} calls x ${REPS} reps per per-call figure, ${FRESH_RUNS} fresh runs, total ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ];
  notes.push(otherLoadNote(cpuBefore, cpuTicks()));
  for (const [name, count] of warnings) {
    notes.push(`process warning seen: ${name} x${count} (printed above on stderr)`);
  }
  for (const note of notes) console.log(note);
  const misses = rows.filter((r) => r.result === "MISS");
  console.log(misses.length === 0 ? "all targets met" : `${misses.length} target(s) missed`);
}

/**
 * Holds the event loop open while `fn` runs. `SandboxPool.close()` awaits the exit of
 * workers that are unref'd while idle; builds whose close() does not ref them first let
 * Node quit with exit code 13 (unsettled top-level await) before the close resolves.
 */
async function keepAlive(fn) {
  const timer = setInterval(() => undefined, 1000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/**
 * CPU ticks used by the whole machine and by this process with its reaped children
 * (pool workers, cold-start children), from /proc. Linux only; undefined elsewhere.
 */
function cpuTicks() {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const own = readFileSync("/proc/self/stat", "utf8");
    const fields = own
      .slice(own.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    // Fields 14-17 of /proc/self/stat (utime, stime, cutime, cstime); [0] here is field 3.
    const self = fields[11] + fields[12] + fields[13] + fields[14];
    const machine = user + nice + system + irq + softirq + steal;
    return { machine, self, wall: performance.now() };
  } catch {
    return undefined;
  }
}

/** How much of the machine other processes used during the run (noise in every number). */
function otherLoadNote(before, after) {
  if (!before || !after) return "machine load: not measured (no /proc)";
  const cores = availableParallelism();
  const ticksPerSecond = 100;
  const capacity = ((after.wall - before.wall) / 1000) * ticksPerSecond * cores;
  const others = Math.max(0, after.machine - before.machine - (after.self - before.self));
  const share = (100 * others) / capacity;
  return (
    `other processes used ${share.toFixed(0)}% of the machine's ${cores} cores during the run` +
    (share > 15 ? " — numbers are noisy; rerun on a quiet machine before trusting close calls" : "")
  );
}

// ---- measurement helpers -----------------------------------------------------------

/** Median of `count` timed calls of `fn`, in ms, after as many (at most 100) warm-up calls. */
async function medianOf(count, fn) {
  for (let i = 0; i < Math.min(100, count); i++) await fn();
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** (median time of the program with N calls - median time without) / N, in ms. */
async function perCallOverhead(run, withCalls, withoutCalls, calls, reps = REPS) {
  for (let i = 0; i < WARMUP_REPS; i++) {
    await run(withCalls);
    await run(withoutCalls);
  }
  const a = [];
  const b = [];
  for (let i = 0; i < reps; i++) {
    let t0 = performance.now();
    await run(withCalls);
    a.push(performance.now() - t0);
    t0 = performance.now();
    await run(withoutCalls);
    b.push(performance.now() - t0);
  }
  return Math.max(0, median(a) - median(b)) / calls;
}

/** The baseline: awaiting the same JS function directly, per call, in ms. */
async function directCallCost(fn) {
  const loop = async (n) => {
    let s = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) s = await fn(s);
    const elapsed = performance.now() - t0;
    if (s !== n) throw new Error("direct loop failed");
    return elapsed;
  };
  await loop(CALLS * 10);
  const runs = [];
  for (let i = 0; i < REPS; i++) runs.push((await loop(CALLS * 10)) / (CALLS * 10));
  return median(runs);
}

/** Raw `@pydantic/monty`: a manual start/resume loop, no codemode in between. */
async function rawMontyCosts(fn, withCalls, withoutCalls) {
  const { Monty, MontyComplete, MontyNameLookup, MontySnapshot } = await import("@pydantic/monty");
  const tool = (...args) => fn(...args);
  Object.defineProperty(tool, "name", { value: fn.name });
  const run = async (code) => {
    let progress = new Monty(code).start();
    for (;;) {
      if (progress instanceof MontyComplete) return progress.output;
      if (progress instanceof MontyNameLookup) {
        progress =
          progress.variableName === fn.name ? progress.resume({ value: tool }) : progress.resume();
      } else if (progress instanceof MontySnapshot) {
        progress = progress.resume({ returnValue: await fn(...progress.args) });
      } else {
        throw new Error("unexpected Monty progress");
      }
    }
  };
  const perCall = await perCallOverhead(run, withCalls, withoutCalls, CALLS);
  const fresh = await medianOf(FRESH_RUNS, () => run("1 + 1"));
  return { perCall, fresh };
}

/**
 * Event-loop delay (ms) while `work` runs. The histogram's timer records a delay only
 * between two of its ticks, so the loop is given a few ticks before and after the work:
 * a run that blocks the thread then shows up as one huge sample (see `max`).
 */
async function lagWhile(work) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const ticks = () => new Promise((resolve) => setTimeout(resolve, 20));
  histogram.enable();
  await ticks();
  await work();
  await ticks();
  histogram.disable();
  return {
    p50: histogram.percentile(50) / 1e6,
    p99: histogram.percentile(99) / 1e6,
    max: histogram.max / 1e6,
  };
}

/** Times a cold `import` plus first run in fresh node processes (median of COLD_RUNS). */
async function coldRuns(mode) {
  const results = [];
  for (let i = 0; i < COLD_RUNS; i++) results.push(await spawnChild(mode));
  const pick = (key) => median(results.map((r) => r[key]));
  return {
    import: pick("importMs"),
    importAndFirst: pick("importAndFirstMs"),
    firstPool: pick("firstPoolMs"),
  };
}

function spawnChild(mode) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [SELF, "--child", mode], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk) => {
      out += chunk;
    });
    proc.on("error", reject);
    proc.on("exit", (code) => {
      if (code !== 0) reject(new Error(`cold-start child (${mode}) exited with ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

/** Runs in the fresh child: nothing of codemode or Monty is loaded yet. */
async function child(mode) {
  const t0 = performance.now();
  if (mode === "codemode") {
    const { execute, closeDefaultSandboxPool } = await import("codemode");
    const t1 = performance.now();
    const first = await execute("1 + 1", { isolation: "in-process" });
    const t2 = performance.now();
    const firstPool = await execute("1 + 1");
    const t3 = performance.now();
    await keepAlive(() => closeDefaultSandboxPool());
    if (!first.ok || !firstPool.ok) throw new Error("cold run failed");
    report({ importMs: t1 - t0, importAndFirstMs: t2 - t0, firstPoolMs: t3 - t2 });
  } else {
    const { Monty } = await import("@pydantic/monty");
    const t1 = performance.now();
    const value = new Monty("1 + 1").run();
    const t2 = performance.now();
    if (value !== 2) throw new Error("cold Monty run failed");
    report({ importMs: t1 - t0, importAndFirstMs: t2 - t0, firstPoolMs: Number.NaN });
  }
}

function report(result) {
  process.stdout.write(JSON.stringify(result));
}

/** @ai-sdk/code-mode measured live when installed in bench/peer, else the reference numbers. */
async function measurePeer() {
  const reference = {
    live: false,
    freshMs: PEER_REFERENCE.freshMs,
    perCallMs: PEER_REFERENCE.perCallMs,
  };
  if (!existsSync(`${PEER_DIR}node_modules/@ai-sdk/code-mode`)) {
    return { ...reference, note: "not installed; see bench/peer/README.md" };
  }
  let peer;
  try {
    peer = await import("./peer/load.mjs");
  } catch (error) {
    return { ...reference, note: `could not load the peer: ${error.message}` };
  }
  const { runCodeMode, tool, jsonSchema } = peer;
  const n = 200;
  const inc = tool({
    description: "Adds one.",
    inputSchema: jsonSchema({
      type: "object",
      properties: { x: { type: "number" } },
      required: ["x"],
    }),
    execute: async ({ x }) => x + 1,
  });
  const options = { executionPolicy: { maxBridgeRequests: n + 10 } };
  const run = async (js) => {
    const value = await runCodeMode({ js, tools: { inc }, options });
    if (value !== n && value !== 2) throw new Error(`peer program returned ${value}`);
  };
  const freshMs = await medianOf(50, () => run("return 1 + 1"));
  const perCallMs = await perCallOverhead(
    run,
    `let s = 0; for (let i = 0; i < ${n}; i++) { s = await tools.inc({ x: s }); } return s;`,
    `let s = 0; for (let i = 0; i < ${n}; i++) { s = s + 1; } return s;`,
    n,
    5,
  );
  return { live: true, freshMs, perCallMs, note: `${n} calls x 5 reps, 50 fresh runs` };
}

// ---- the table -----------------------------------------------------------------------

/** A quantity in ms, shown in the best unit. */
function ms(value) {
  return { ms: value };
}
/** A target given in µs. */
function micros(value) {
  return { ms: value / 1000 };
}
function times(value) {
  return { x: value };
}

function fmt(q) {
  if (q === undefined) return "";
  if ("x" in q) return `${q.x.toFixed(1)}x`;
  const v = q.ms;
  if (!Number.isFinite(v)) return "n/a";
  if (v < 0.001) return `${(v * 1e6).toFixed(0)} ns`;
  if (v < 1) return `${(v * 1000).toFixed(v < 0.01 ? 2 : 1)} µs`;
  if (v < 1000) return `${v.toFixed(v < 10 ? 2 : 1)} ms`;
  return `${(v / 1000).toFixed(2)} s`;
}

/**
 * One table row. `op` and `target` set the goal: "<=" / "<" compare our value with an
 * absolute target, "x<=" compares ours/baseline with a ratio, "x>=" compares our value
 * (a speedup) with a factor.
 */
function row(metric, ours, baseline, baselineLabel, op, target) {
  const value = (q) => ("x" in q ? q.x : q.ms);
  const ratio = value(ours) / value(baseline);
  let targetText = "—";
  let pass;
  if (op === "<=" || op === "<") {
    targetText = `${op} ${fmt(target)}`;
    pass = op === "<=" ? value(ours) <= value(target) : value(ours) < value(target);
  } else if (op === "x<=") {
    targetText = `<= ${target}x ${baselineLabel}`;
    pass = ratio <= target;
  } else if (op === "x>=") {
    targetText = `>= ${target}x`;
    pass = value(ours) >= target;
  }
  const isSpeedup = "x" in ours;
  return {
    metric,
    ours: fmt(ours),
    baseline: `${fmt(baseline)} (${baselineLabel})`,
    ratio: isSpeedup || !Number.isFinite(ratio) ? "" : `${ratio.toFixed(ratio < 10 ? 2 : 0)}x`,
    target: targetText,
    result: pass === undefined ? "" : pass ? "PASS" : "MISS",
  };
}

function printTable(rows) {
  const columns = [
    ["metric", "metric"],
    ["ours", "ours"],
    ["baseline", "baseline (same run)"],
    ["ratio", "ratio"],
    ["target", "target"],
    ["result", ""],
  ];
  const widths = columns.map(([key, title]) =>
    Math.max(title.length, ...rows.map((r) => r[key].length)),
  );
  const line = (cells) =>
    cells
      .map((cell, i) => (i === 1 || i === 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  console.log("");
  console.log(line(columns.map(([, title]) => title)));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(columns.map(([key]) => r[key])));
  console.log("");
}
