/**
 * `resumeExecution(suspended, decisions, options)`: continues a program that stopped at
 * calls needing approval, from its snapshot, in this process or another one, hours later.
 * Nothing that already ran runs again; an approved call runs once, a denied one raises
 * `PermissionError` in the program.
 */
import { InvalidOptionsError } from "../errors.js";
import { decideEvery } from "./call-policy.js";
import { executionTools } from "./execute.js";
import { ExecutionRun, SUSPENSION_VERSION, type SuspendedRun } from "./execution-run.js";
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
 */
export async function resumeExecution(
  suspended: SuspendedExecution,
  decisions: ApprovalDecisions,
  options: Omit<ExecuteOptions, "inputs" | "state" | "keepState" | "typeCheck"> = {},
): Promise<ExecutionResult> {
  const t0 = performance.now();
  const run = checkSuspended(suspended);
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
