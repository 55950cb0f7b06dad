/**
 * Approvals on the command line, as real child processes of the built CLI: without a
 * terminal a run that needs approval stops (exit 3) and saves itself; `codemode resume`
 * continues it in a new process; `--approve` / `--deny` decide by policy; on a terminal
 * (a real pty through `script`) the user is asked.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, runCli } from "./helpers.js";

const TOOLS = join(import.meta.dirname, "fixtures/refund-tools.ts");
const REPLAY = join(import.meta.dirname, "fixtures/refund-replay.jsonl");

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "codemode-cli-approval-"));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    COUNT_FILE: join(dir, "calls.log"),
    // A config dir of its own: the continuation secret is made there on first use.
    XDG_CONFIG_HOME: join(dir, "config"),
  };
  delete env.CODEMODE_CONTINUATION_SECRET;
  const calls = () =>
    existsSync(env.COUNT_FILE!) ? readFileSync(env.COUNT_FILE!, "utf8").trim().split("\n") : [];
  return { dir, env, calls };
}

const cli = (args: string[], env: Record<string, string>, cwd: string) => runCli(args, env, cwd);

const RUN = ["run", "Refund order 9.", "--tools", TOOLS, "--model", `replay:${REPLAY}`];

describe("codemode run with approvals", () => {
  it("without a terminal, stops with exit 3 and saves the run; codemode resume approves it", async () => {
    const { dir, env, calls } = setup();
    const save = join(dir, "refund-run.json");
    const first = await cli([...RUN, "--save", save], env, dir);
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toContain("The run is waiting for approval of:");
    expect(first.stderr).toContain('refund({"id":9,"amount":90})');
    expect(first.stderr).toContain(`codemode resume ${save} --approve refund`);
    expect(calls()).toEqual(["get_order:9"]);
    const saved = JSON.parse(readFileSync(save, "utf8")) as {
      kind: string;
      pendingApprovals: unknown[];
    };
    expect(saved.kind).toBe("codemode-suspended-run");
    // The secret lives in the config dir, not in the saved file.
    expect(existsSync(join(dir, "config/codemode/continuation-secret"))).toBe(true);
    expect(readFileSync(save, "utf8")).not.toContain(
      readFileSync(join(dir, "config/codemode/continuation-secret"), "utf8").trim(),
    );

    // No decision given and still no terminal: it says so again, and keeps the file.
    const undecided = await cli(["resume", save], env, dir);
    expect(undecided.code).toBe(3);

    const done = await cli(["resume", save, "--approve", "refund"], env, dir);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain("refunded 90");
    expect(calls()).toEqual(["get_order:9", "refund:9:90"]);

    // A continuation resumes once.
    const again = await cli(["resume", save, "--approve", "refund"], env, dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("this continuation was already resumed");
  }, 90_000);

  it("--deny with a reason: the program gets PermissionError and handles it", async () => {
    const { dir, env, calls } = setup();
    const result = await cli(
      [...RUN, "--deny", "all", "--deny-reason", "refunds are frozen"],
      env,
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("not refunded: refund() was not approved: refunds are frozen");
    expect(calls()).toEqual(["get_order:9"]);
  }, 60_000);

  it("refuses contradicting policies", async () => {
    const { dir, env } = setup();
    const result = await cli([...RUN, "--approve", "refund", "--deny", "refund"], env, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--approve and --deny both name refund");
  });

  it.skipIf(!existsSync("/usr/bin/script"))(
    "on a terminal, asks with the tool and its arguments, and runs the call on yes",
    () => {
      const { dir, env, calls } = setup();
      const command = [process.execPath, CLI, ...RUN].map((a) => `'${a}'`).join(" ");
      // `script` gives the CLI a real pseudo-terminal; the answer comes on its stdin.
      const child = spawnSync("script", ["-qec", command, "/dev/null"], {
        env,
        cwd: dir,
        input: "y\n",
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(child.status, child.stdout + child.stderr).toBe(0);
      expect(child.stdout).toContain("Approval needed: refund()");
      expect(child.stdout).toContain('"amount": 90');
      expect(child.stdout).toContain("refunded 90");
      expect(calls()).toEqual(["get_order:9", "refund:9:90"]);
    },
  );

  it("a run that fails after a refund ran says so, and its retry did not refund again", async () => {
    const { dir, env, calls } = setup();
    const replay = join(import.meta.dirname, "fixtures/refund-fails-replay.jsonl");
    const args = ["run", "Refund 5 on order 1.", "--tools", TOOLS, "--model", `replay:${replay}`];
    const failed = await cli([...args, "--max-retries", "1"], env, dir);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      "These calls completed before the run failed and changed things:",
    );
    expect(failed.stderr).toContain('refund({"id":1,"amount":5}) -> {"refunded":5}');
    expect(failed.stdout).toMatch(/#1 refund\(.*\) ok .* \(changed things\)/);
    expect(failed.stdout).toMatch(/#1 refund\(.*\) ok .* replayed/);
    expect(calls()).toEqual(["refund:1:5"]);
  });

  it("--compensate undoes the refund of a run that failed, once", async () => {
    const { dir, env, calls } = setup();
    const replay = join(import.meta.dirname, "fixtures/refund-fails-replay.jsonl");
    const args = ["run", "Refund 5 on order 1.", "--tools", TOOLS, "--model", `replay:${replay}`];
    const failed = await cli([...args, "--max-retries", "1", "--compensate"], env, dir);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('undone: refund({"id":1,"amount":5}) ok');
    expect(calls()).toEqual(["refund:1:5", "undo-refund:1:5"]);
  });

  it("a run saved with --compensate is undone when its resumed part fails", async () => {
    const { dir, env, calls } = setup();
    const replay = join(import.meta.dirname, "fixtures/refund-approved-fails-replay.jsonl");
    const save = join(dir, "run.json");
    const args = ["run", "Refund order 9.", "--tools", TOOLS, "--model", `replay:${replay}`];
    const first = await cli([...args, "--compensate", "--save", save], env, dir);
    expect(first.code, first.stderr).toBe(3);
    expect(JSON.parse(readFileSync(save, "utf8"))).toMatchObject({ compensate: true });
    expect(calls()).toEqual([]);

    // No --compensate here: the saved run remembers it.
    const resumed = await cli(
      ["resume", save, "--approve", "refund", "--max-retries", "0"],
      env,
      dir,
    );
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stderr).toContain('undone: refund({"id":9,"amount":90}) ok');
    expect(calls()).toEqual(["refund:9:90", "undo-refund:9:90"]);
  });
});
