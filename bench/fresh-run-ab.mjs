#!/usr/bin/env node
/**
 * A fresh tiny run, this build against older ones, in the same process:
 * `npm run build && node bench/fresh-run-ab.mjs [git-ref …]` (default refs: 06fad56, the
 * first release's last commit, and 97e7409, the one before issue 22).
 *
 * Each ref is checked out into a temporary worktree, linked to this checkout's node_modules
 * and built there; then `execute("1 + 2", { isolation: "in-process" })` runs 2000 times per
 * build, interleaved, 7 rounds after 1000 warm-up runs each, and the median per run is
 * printed with its ratio to this build. Interleaving keeps a busy machine's noise on every
 * build alike; still, compare runs taken on a quiet machine (see the load line).
 *
 * `--calls N` measures the dispatcher instead: one program making N calls to a one-line
 * tool (`s = inc(s)` in a loop), and the median per call (program time ÷ N).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const callsAt = argv.indexOf("--calls");
const CALLS = callsAt >= 0 ? Number(argv[callsAt + 1]) : 0;
const refs = argv.filter((a, i) => !a.startsWith("-") && !(callsAt >= 0 && i === callsAt + 1));
if (refs.length === 0) refs.push("06fad56", "97e7409");
const N = 2000;
const ROUNDS = 7;

if (!existsSync(join(root, "dist/index.js"))) {
  console.error("Run `npm run build` first: this build is the one measured against the refs.");
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), "codemode-ab-"));
const builds = [{ label: "this build", entry: join(root, "dist/index.js") }];
try {
  for (const ref of refs) {
    const dir = join(scratch, ref.replace(/[^\w.-]/g, "_"));
    process.stderr.write(`building ${ref} in ${dir}…\n`);
    execFileSync("git", ["-C", root, "worktree", "add", "--detach", "--force", dir, ref], {
      stdio: "ignore",
    });
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
    execFileSync(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      {
        cwd: dir,
        stdio: "inherit",
      },
    );
    builds.push({ label: ref, entry: join(dir, "dist/index.js") });
  }

  const modules = [];
  for (const build of builds) modules.push(await import(pathToFileURL(build.entry).href));
  // One measured unit per build: a fresh `1 + 2`, or (--calls) a program of CALLS tool calls.
  const units = modules.map((m) => {
    if (CALLS === 0)
      return { perUnit: 1, run: () => m.execute("1 + 2", { isolation: "in-process" }) };
    const inc = m.defineTool({
      name: "inc",
      inputSchema: { type: "object", properties: { x: { type: "integer" } }, required: ["x"] },
      execute: ({ x }) => x + 1,
    });
    const code = `s = 0\nfor i in range(${CALLS}):\n    s = inc(s)\ns`;
    const options = { tools: [inc], isolation: "in-process", limits: { maxToolCalls: CALLS + 1 } };
    return { perUnit: CALLS, run: () => m.execute(code, options) };
  });
  // About 20 000 calls a round: enough that one slow program does not decide the median.
  const repeats = CALLS === 0 ? N : Math.max(1, Math.round(20_000 / CALLS));
  for (const unit of units) for (let i = 0; i < 1000 / unit.perUnit + 5; i++) await unit.run();
  const samples = builds.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, unit] of units.entries()) {
      const t0 = performance.now();
      for (let i = 0; i < repeats; i++) await unit.run();
      samples[k].push(((performance.now() - t0) / (repeats * unit.perUnit)) * 1000);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ours = median(samples[0]);
  const what = CALLS === 0 ? "fresh `1 + 2`, in-process" : `per tool call, ${CALLS} in a program`;
  console.log(`| build | ${what} (median µs) | ÷ this build |`);
  console.log("| --- | ---: | ---: |");
  for (const [k, build] of builds.entries()) {
    const us = median(samples[k]);
    console.log(`| ${build.label} | ${us.toFixed(1)} | ${(us / ours).toFixed(2)} |`);
  }
  console.log(
    `\nload average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")} (${process.version})`,
  );
} finally {
  for (const build of builds.slice(1)) {
    const dir = resolve(build.entry, "../..");
    execFileSync("git", ["-C", root, "worktree", "remove", "--force", dir], { stdio: "ignore" });
  }
  rmSync(scratch, { recursive: true, force: true });
}
