/**
 * What makes a suspended run safe to continue: a seal taken when it suspends (the Monty
 * build, the limits the snapshot carries, a checksum binding the snapshot to the calls it
 * waits at and to the approvals shown for them, a once-only id) and the checks against it
 * before anything runs. A `SuspendedExecution` is trusted state (the program's whole
 * heap): these checks catch corruption, an upgrade, a replay and a pending list that does
 * not match what was shown; they do not make a forged one safe (never take it from a
 * client; the agent's signed continuations exist for that).
 */
import { createHash, randomUUID } from "node:crypto";
import { InvalidOptionsError } from "../errors.js";
import type { Limits } from "../sandbox/limits.js";
import { MONTY_VERSION } from "../sandbox/monty.js";
import type { RunSuspension } from "../sandbox/protocol.js";
import { toJsonSafe } from "../sandbox/values.js";
import type { ApprovalRequest } from "./types.js";

/** The limits Monty enforces from inside the snapshot; a resume cannot lower them. */
const SNAPSHOT_LIMITS = ["maxMemoryBytes", "maxAllocations", "maxRecursionDepth"] as const;

export interface SuspensionSeal {
  /** Once-only: a process resumes each suspension once. */
  id: string;
  /** The Monty build that dumped the snapshot. */
  monty: string;
  /** The limits inside the snapshot. */
  limits: Pick<Limits, (typeof SNAPSHOT_LIMITS)[number]>;
  checksum: string;
}

interface Sealed {
  suspension: RunSuspension;
  code: string;
  pending: readonly { id: string; index: number }[];
}

export function sealSuspension(
  run: Sealed,
  approvals: readonly ApprovalRequest[],
  limits: Limits,
): SuspensionSeal {
  return {
    id: randomUUID(),
    monty: MONTY_VERSION,
    limits: {
      maxMemoryBytes: limits.maxMemoryBytes,
      maxAllocations: limits.maxAllocations,
      maxRecursionDepth: limits.maxRecursionDepth,
    },
    checksum: checksum(run, approvals),
  };
}

function checksum(run: Sealed, approvals: readonly ApprovalRequest[]): string {
  const { suspension } = run;
  const bound = toJsonSafe({
    batch: suspension.batch,
    pending: suspension.pending,
    lineOffset: suspension.lineOffset,
    keepState: suspension.keepState,
    outputBytes: suspension.outputBytes,
    stateHost: suspension.stateHost ?? null,
    code: run.code,
    ids: run.pending,
    approvals: approvals.map(({ id, tool, args, seq }) => ({ id, tool, args, seq })),
  });
  return createHash("sha256")
    .update(suspension.snapshot)
    .update(JSON.stringify(bound))
    .digest("base64url");
}

function refuse(why: string): never {
  throw new InvalidOptionsError(
    `resumeExecution(): this suspended run cannot be resumed: ${why}. Nothing ran. ` +
      "A suspended run is trusted state: keep it where only your server reads and writes it, never take it from a client.",
  );
}

/**
 * Throws InvalidOptionsError, before anything runs, when `run` is not the intact
 * suspension its seal describes, or was made by another Monty build, or carries higher
 * limits than the resuming caller's `limits`: Monty keeps a snapshot's own memory,
 * allocation and recursion limits, so such a resume is refused rather than run past them.
 */
export function checkSuspension(
  run: unknown,
  approvals: readonly ApprovalRequest[],
  limits: Limits,
): void {
  const r = run as Partial<Sealed> & { seal?: Partial<SuspensionSeal> };
  const suspension = r?.suspension;
  if (
    !suspension ||
    !(suspension.snapshot instanceof Uint8Array) ||
    !Array.isArray(suspension.batch?.calls) ||
    typeof r.code !== "string" ||
    !Array.isArray(r.pending) ||
    !Array.isArray(approvals)
  ) {
    refuse("it is not the `suspended` of an execute() result as it was");
  }
  const seal = r.seal;
  if (!seal || typeof seal.checksum !== "string" || typeof seal.id !== "string") {
    refuse("it has no seal (it was made by an older codemode, or changed)");
  }
  if (seal.monty !== MONTY_VERSION) {
    refuse(
      `its snapshot was made by Monty ${String(seal.monty)} and this is Monty ${MONTY_VERSION}; resume it with the codemode (and Monty) that suspended it, or run the program again`,
    );
  }
  // Every pending call is one approval shown, for the call that will run, and back.
  const calls = suspension.batch.calls;
  const indices = new Set<number>();
  const ids = new Set(approvals.map((a) => a?.id));
  if (
    r.pending.length === 0 ||
    r.pending.length !== approvals.length ||
    ids.size !== approvals.length
  ) {
    refuse("its pending calls do not match its approvals");
  }
  for (const { id, index } of r.pending) {
    const approval = approvals.find((a) => a.id === id);
    const call = Number.isInteger(index) ? calls[index] : undefined;
    if (!approval || !call || indices.has(index) || call.name !== approval.tool) {
      refuse("its pending calls do not match its approvals");
    }
    indices.add(index);
  }
  if (checksum(r as Sealed, approvals) !== seal.checksum) {
    refuse(
      "its snapshot or its pending calls changed since it was suspended (the checksum does not match)",
    );
  }
  for (const name of SNAPSHOT_LIMITS) {
    const inside = seal.limits?.[name];
    if (typeof inside === "number" && limits[name] < inside) {
      refuse(
        `it was suspended with ${name} ${inside} and this resume allows ${limits[name]}; a snapshot keeps the memory, allocation and recursion limits it started with, so it is refused rather than run past yours. Resume with limits at least as large, or run the program again`,
      );
    }
  }
}

const resumed = new Set<string>();

/** Marks a checked suspension resumed in this process; false when it already was. */
export function claimSuspension(run: unknown): boolean {
  const id = (run as { seal: SuspensionSeal }).seal.id;
  if (resumed.has(id)) return false;
  resumed.add(id);
  return true;
}
