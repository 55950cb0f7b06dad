/**
 * Approvals on the command line. Each pending call is decided by a policy flag
 * (`--approve send_email`, `--deny all`), else asked on the terminal when there is one.
 * What neither decides stays pending: the run is saved to a file for `codemode resume`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import type { PendingApproval } from "../agent/types.js";
import { InvalidOptionsError } from "../errors.js";
import type { ApprovalDecision } from "../execute/types.js";

export interface ApprovalPolicy {
  approve: ReadonlySet<string>;
  deny: ReadonlySet<string>;
  denyReason: string | undefined;
}

/** `--approve` / `--deny` (tool names, or `all`), checked against each other. */
export function approvalPolicy(options: {
  approve?: string[];
  deny?: string[];
  denyReason?: string;
}): ApprovalPolicy {
  const approve = new Set(options.approve ?? []);
  const deny = new Set(options.deny ?? []);
  const both = [...approve].filter((name) => deny.has(name));
  if (both.length > 0) {
    throw new InvalidOptionsError(
      `--approve and --deny both name ${both.join(", ")}; give each tool one policy.`,
    );
  }
  return { approve, deny, denyReason: options.denyReason };
}

/** The policy's decision for one call; a tool's own name wins over `all`. */
export function policyDecision(policy: ApprovalPolicy, tool: string): ApprovalDecision | undefined {
  const denied = (): ApprovalDecision => ({
    approved: false,
    reason: policy.denyReason ?? "denied by the --deny policy",
  });
  if (policy.approve.has(tool)) return true;
  if (policy.deny.has(tool)) return denied();
  if (policy.approve.has("all")) return true;
  if (policy.deny.has("all")) return denied();
  return undefined;
}

/** True when a person can answer: stdin and stderr are terminals. */
export function canAsk(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Asks on the terminal, one call at a time: tool, arguments, the line; y to approve. */
export async function askOnTerminal(pending: PendingApproval): Promise<ApprovalDecision> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    process.stderr.write(
      `\nApproval needed: ${pending.tool}()${pending.line ? ` (line ${pending.line})` : ""}\n` +
        `${JSON.stringify(pending.args, null, 2).replace(/^/gm, "  ")}\n` +
        (pending.ranBefore
          ? `This call already ran ${pending.ranBefore} time(s) in this run, with the same arguments.\n`
          : ""),
    );
    const answer = (await rl.question("Run it? [y/N] ")).trim().toLowerCase();
    if (answer === "y" || answer === "yes") return true;
    const reason = (await rl.question("Reason (optional, the program sees it): ")).trim();
    return reason ? { approved: false, reason } : false;
  } finally {
    rl.close();
  }
}

/** A run waiting for approvals, as `codemode run` saves it for `codemode resume`. */
export interface SavedRun {
  kind: "codemode-suspended-run";
  version: 1;
  question: string;
  /** Absolute path of the tools module, or null. */
  tools: string | null;
  /** The `--openapi` documents (absolute paths or URLs); their headers and credentials are not saved. */
  openapi?: string[];
  model: string;
  maxTurns: number;
  /** Run with `--compensate`: the resumed run undoes its side effects if it fails. */
  compensate?: boolean;
  savedAt: string;
  pendingApprovals: PendingApproval[];
  continuation: string;
}

export function saveRun(path: string, run: SavedRun): void {
  writeFileSync(path, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 });
}

export function loadRun(path: string): SavedRun {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InvalidOptionsError(
      `${path} cannot be read as a saved run (${(error as Error).message}); pass the file codemode run saved.`,
    );
  }
  const run = parsed as Partial<SavedRun> | null;
  if (
    run?.kind !== "codemode-suspended-run" ||
    run.version !== 1 ||
    typeof run.continuation !== "string"
  ) {
    throw new InvalidOptionsError(
      `${path} is not a run saved by codemode run (kind "codemode-suspended-run", version 1).`,
    );
  }
  return run as SavedRun;
}
