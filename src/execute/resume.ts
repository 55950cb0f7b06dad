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
import { checkSuspension, claimSuspension, suspensionKey } from "./suspension-check.js";
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
 * `suspended` is the program's whole heap: keep it where only your server reads and
 * writes it, never take it from a client. Before anything runs, it is checked against the
 * seal it got when it suspended (intact snapshot, the calls that run are the approvals
 * shown, the same Monty build, limits no higher than `options.limits`), and each is
 * resumed once per process; otherwise InvalidOptionsError, nothing ran. Without a key that
 * seal is a checksum, which a forger can recompute; with `options.suspensionSecret` (the
 * one `execute()` had) it is an HMAC: a suspension changed or sealed without that key is
 * refused, and one sealed with a key needs it.
 */
export function resumeExecution(
  suspended: SuspendedExecution,
  decisions: ApprovalDecisions,
  options: Omit<ExecuteOptions, "inputs" | "state" | "keepState" | "typeCheck"> = {},
): Promise<ExecutionResult> {
  return resumeSuspended(suspended, decisions, options, false);
}

/**
 * `resumeExecution`; `continuation` true for the agent, which opened `suspended` from its
 * signed continuation and claims it itself (`continuations.claim`): the resume is then not
 * once-per-process here, and a seal made without a key passes (one made before seals were
 * keyed; the continuation's signature already vouches for it).
 */
export async function resumeSuspended(
  suspended: SuspendedExecution,
  decisions: ApprovalDecisions,
  options: Omit<ExecuteOptions, "inputs" | "state" | "keepState" | "typeCheck">,
  continuation: boolean,
): Promise<ExecutionResult> {
  const t0 = performance.now();
  const run = checkSuspended(suspended);
  checkSuspension(run, suspended.approvals, resolveLimits(options.limits), {
    key: suspensionKey(options.suspensionSecret),
    unkeyedOk: continuation,
  });
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
  if (!continuation && !claimSuspension(run)) {
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
 * Throws InvalidOptionsError when the agent's continuation's `suspended` could not be
 * resumed with `options` (layout, seal and its key, Monty build, limits): what it checks
 * before it claims the continuation.
 */
export function checkResumable(
  suspended: SuspendedExecution,
  options: Pick<ExecuteOptions, "limits" | "suspensionSecret">,
): void {
  checkSuspension(checkSuspended(suspended), suspended.approvals, resolveLimits(options.limits), {
    key: suspensionKey(options.suspensionSecret),
    unkeyedOk: true,
  });
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
