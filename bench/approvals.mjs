#!/usr/bin/env node
/**
 * What an approval costs: `npm run build && node bench/approvals.mjs [--json]`.
 *
 * - Suspend: a program runs to a call that needs approval and stops as a snapshot
 *   (`execute()` without onApproval). Resume: `resumeExecution()` loads the snapshot, runs
 *   the approved call and the rest. Both against the same program whose tool needs no
 *   approval (the baseline, measured in the same run), for a small and a large program
 *   state (a few variables; a 20 000-row list held across the call).
 * - The agent's continuation (the signed string `agent.run()` returns when suspended): its
 *   size for the same two states, and the time to seal and open it (`agent.resume()`).
 *
 * Medians of 25 runs after 5 unmeasured ones, in each isolation mode.
 */
const { CodeModeAgent, defineTool, execute, resumeExecution, closeDefaultSandboxPool } =
  await import("codemode");

const json = process.argv.includes("--json");
const RUNS = 25;
const WARMUP = 5;

function tools(needsApproval) {
  return [
    defineTool({
      name: "send",
      inputSchema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
      ...(needsApproval ? { needsApproval: true } : {}),
      execute: ({ n }) => ({ sent: n }),
    }),
  ];
}

const PROGRAMS = {
  small: "a = 1\nb = 'two'\nr = send(3)\n[a, b, r['sent']]",
  large:
    "rows = [{'id': i, 'name': 'row ' + str(i), 'score': i * 0.5} for i in range(20000)]\nr = send(len(rows))\n[len(rows), r['sent']]",
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function time(fn) {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

async function measureExecute(isolation, code) {
  const plain = tools(false);
  const gated = tools(true);
  const baseline = [];
  const suspend = [];
  const resume = [];
  let snapshotBytes = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const [base] = await time(() => execute(code, { tools: plain, isolation }));
    const [s, suspended] = await time(() => execute(code, { tools: gated, isolation }));
    if (suspended.ok || !suspended.suspended) throw new Error("expected a suspension");
    const approvals = Object.fromEntries(suspended.suspended.approvals.map((a) => [a.id, true]));
    const [r, done] = await time(() =>
      resumeExecution(suspended.suspended, approvals, { tools: gated, isolation }),
    );
    if (!done.ok) throw new Error(done.error.message);
    snapshotBytes = suspended.suspended.run.suspension.snapshot.byteLength;
    if (i < WARMUP) continue;
    baseline.push(base);
    suspend.push(s);
    resume.push(r);
  }
  return {
    baselineMs: median(baseline),
    suspendMs: median(suspend),
    resumeMs: median(resume),
    snapshotBytes,
  };
}

async function measureAgent(code) {
  const gated = tools(true);
  const reply = `\`\`\`python\n${code}\n\`\`\``;
  const agent = new CodeModeAgent({
    tools: gated,
    isolation: "in-process",
    callLlm: async () => reply,
    // Each resume is claimed once; the bench resumes many different continuations.
  });
  const runMs = [];
  const resumeMs = [];
  let size = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const [r, first] = await time(() => agent.run("go"));
    if (first.status !== "suspended") throw new Error(`expected a suspended run: ${first.error}`);
    size = first.continuation.length;
    const decisions = Object.fromEntries(first.pendingApprovals.map((p) => [p.id, true]));
    const [s, done] = await time(() => agent.resume(first.continuation, decisions));
    if (done.status !== "done") throw new Error(done.error);
    if (i < WARMUP) continue;
    runMs.push(r);
    resumeMs.push(s);
  }
  return { continuationBytes: size, runToSuspendMs: median(runMs), resumeMs: median(resumeMs) };
}

const results = {};
for (const isolation of ["in-process", "process"]) {
  for (const [name, code] of Object.entries(PROGRAMS)) {
    results[`${isolation}/${name}`] = await measureExecute(isolation, code);
  }
}
for (const [name, code] of Object.entries(PROGRAMS)) {
  results[`agent/${name}`] = await measureAgent(code);
}
await closeDefaultSandboxPool();

if (json) {
  process.stdout.write(`${JSON.stringify(results)}\n`);
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const lines = [];
  for (const isolation of ["in-process", "process"]) {
    for (const name of Object.keys(PROGRAMS)) {
      const r = results[`${isolation}/${name}`];
      lines.push(
        `${isolation.padEnd(10)} ${name.padEnd(5)}  run ${r.baselineMs.toFixed(2)} ms (no approval)  ` +
          `suspend ${r.suspendMs.toFixed(2)} ms  resume ${r.resumeMs.toFixed(2)} ms  ` +
          `(suspend+resume ${((r.suspendMs + r.resumeMs) / r.baselineMs).toFixed(2)}x the run)  snapshot ${kb(r.snapshotBytes)}`,
      );
    }
  }
  for (const name of Object.keys(PROGRAMS)) {
    const r = results[`agent/${name}`];
    lines.push(
      `agent      ${name.padEnd(5)}  continuation ${kb(r.continuationBytes)}  run to suspension ${r.runToSuspendMs.toFixed(2)} ms  resume ${r.resumeMs.toFixed(2)} ms`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
