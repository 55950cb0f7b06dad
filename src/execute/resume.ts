/**
 * `resumeExecution(suspended, decisions, options)`: continues a program that stopped at
 * calls needing approval, from its snapshot, in this process or another one, hours later.
 * Nothing that already ran runs again; an approved call runs once, a denied one raises
 * `PermissionError` in the program.
 */
import { InvalidOptionsError } from "../errors.js";
import { resolveLimits } from "../sandbox/limits.js";
import { decideEvery } from "./call-policy.js";
import { executionTools } from "./execute.js";
import { ExecutionRun, SUSPENSION_VERSION, type SuspendedRun } from "./execution-run.js";
import { checkSuspension, claimSuspension } from "./suspension-check.js";
import type {
  ApprovalDecision,
  ExecuteOptions,
  ExecutionResult,
  SuspendedExecution,
} from "./types.js";

/** Decisions by approval id: `true`, `false` or `{ approved: false, reason }`. */
export type ApprovalDecisions = Readonly<Record<string, ApprovalDecision>>;

/**
 * Continues `suspended` with a decision for each of its `approvals`. `options` are
 * `execute()`'s, with the same tools (by name) the program started with; `inputs`,
 * `state`, `keepState` and `typeCheck` come from the suspended run. May suspend again.
 *
 * `suspended` is trusted state (the program's whole heap): keep it where only your
 * server reads and writes it, never take it from a client. Before anything runs, it is
 * checked against the seal it got when it suspended (intact snapshot, the calls that run
 * are the approvals shown, the same Monty build, limits no higher than `options.limits`),
 * and each is resumed once per process; otherwise InvalidOptionsError, nothing ran.
 */
export function resumeExecution(
  suspended: SuspendedExecution,
  decisions: ApprovalDecisions,
  options: Omit<ExecuteOptions, "inputs" | "state" | "keepState" | "typeCheck"> = {},
): Promise<ExecutionResult> {
  return resumeSuspended(suspended, decisions, options, true);
}

/**
 * `resumeExecution`; `once` false for callers that guard it themselves (the agent claims
 * its continuation with `continuations.claim`).
 */
export async function resumeSuspended(
  suspended: SuspendedExecution,
  decisions: ApprovalDecisions,
  options: Omit<ExecuteOptions, "inputs" | "state" | "keepState" | "typeCheck">,
  once: boolean,
): Promise<ExecutionResult> {
  const t0 = performance.now();
  const run = checkSuspended(suspended);
  checkSuspension(run, suspended.approvals, resolveLimits(options.limits));
  const { toolsByName } = executionTools(options);
  // Every tool the program had must be here; tools added since (a live set) are fine.
  const missing = suspended.toolNames.filter((name) => !toolsByName.has(name));
  if (missing.length > 0) {
    throw new InvalidOptionsError(
      `resumeExecution() needs the tools the program started with; missing: ${missing.slice(0, 20).join(", ")}. ` +
        "Pass the same tools as to execute().",
    );
  }
  const decided = decideEvery(suspended.approvals, decisions);
  if (!decided.ok) throw new InvalidOptionsError(`resumeExecution(): ${decided.message}.`);
  if (once && !claimSuspension(run)) {
    throw new InvalidOptionsError(
      "resumeExecution(): this suspended run was already resumed in this process; each runs its approved calls once. Nothing ran.",
    );
  }
  const verdicts = new Map(
    run.pending.map(({ id, index }) => [index, decided.verdicts.get(id)!] as const),
  );
  const resumedOptions: ExecuteOptions = {
    ...options,
    keepState: run.keepState,
    ...(run.previousState ? { state: run.previousState } : {}),
  };
  return new ExecutionRun(toolsByName, resumedOptions, run.code, t0, run).resume(run, verdicts);
}

/**
 * Throws InvalidOptionsError when `suspended` could not be resumed under `limits` (layout,
 * seal, Monty build, limits): what a caller that claims it first checks before the claim.
 */
export function checkResumable(
  suspended: SuspendedExecution,
  limits: ExecuteOptions["limits"],
): void {
  checkSuspension(checkSuspended(suspended), suspended.approvals, resolveLimits(limits));
}

function checkSuspended(suspended: SuspendedExecution): SuspendedRun {
  if (!suspended || typeof suspended !== "object" || suspended.run === undefined) {
    throw new InvalidOptionsError(
      "resumeExecution() needs the `suspended` of an execute() result whose error is ApprovalRequired.",
    );
  }
  if (suspended.version !== SUSPENSION_VERSION) {
    throw new InvalidOptionsError(
      `This suspended run has layout version ${String(suspended.version)}; this codemode resumes version ${SUSPENSION_VERSION}. Resume it with the codemode that suspended it.`,
    );
  }
  return suspended.run as SuspendedRun;
}
