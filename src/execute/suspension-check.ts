/**
 * What makes a suspended run safe to continue: a seal taken when it suspends (the Monty
 * build, the limits the snapshot carries, a checksum binding the snapshot to the calls it
 * waits at and to the approvals shown for them, a once-only id) and the checks against it
 * before anything runs. Without a key, a `SuspendedExecution` is trusted state (the
 * program's whole heap): the checksum catches corruption, an upgrade, a replay and a
 * pending list that does not match what was shown, not a forgery (anyone who can edit it
 * can recompute it). With `suspensionSecret`, the seal also carries an HMAC-SHA256 of the
 * checksum and of the rest of the run, keyed by it, so only a holder of the key can make
 * one that resumes.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { InvalidOptionsError } from "../errors.js";
import type { Limits } from "../sandbox/limits.js";
import { MONTY_VERSION } from "../sandbox/monty.js";
import type { RunSuspension } from "../sandbox/protocol.js";
import { toJsonSafe } from "../sandbox/values.js";
import { secretKey } from "../secret-key.js";
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
  /**
   * With `suspensionSecret`: HMAC-SHA256, keyed by it, of the rest of the seal (the
   * checksum included) and of the run besides its snapshot (the record, the journal, the
   * kept variables, as their JSON image), so none of it can be changed without the key.
   */
  mac?: string;
}

/** Starts what a seal's HMAC covers, so it is never taken for another MAC made with the key. */
const MAC_CONTEXT = "codemode suspension seal\n";

/** `suspensionSecret` as a key: at least 32 bytes (a string is its UTF-8). */
export function suspensionKey(secret: unknown): Uint8Array | undefined {
  return secret === undefined ? undefined : secretKey(secret, "suspensionSecret", 32);
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
  key: Uint8Array | undefined,
): SuspensionSeal {
  const seal: SuspensionSeal = {
    id: randomUUID(),
    monty: MONTY_VERSION,
    limits: {
      maxMemoryBytes: limits.maxMemoryBytes,
      maxAllocations: limits.maxAllocations,
      maxRecursionDepth: limits.maxRecursionDepth,
    },
    checksum: checksum(run, approvals),
  };
  return key ? { ...seal, mac: mac(run, seal, key) } : seal;
}

/**
 * The seal's HMAC: over the checksum (which binds the snapshot bytes, the pending calls
 * and the approvals) and everything else in the seal and the run, so the key covers the
 * whole suspension while the snapshot is hashed once.
 */
function mac(run: Sealed, seal: Partial<SuspensionSeal>, key: Uint8Array): string {
  const { suspension: _snapshot, seal: _seal, ...rest } = run as Sealed & { seal?: unknown };
  const { mac: _mac, ...sealed } = seal;
  return createHmac("sha256", key)
    .update(MAC_CONTEXT)
    .update(JSON.stringify(toJsonSafe({ seal: sealed, run: rest })))
    .digest("base64url");
}

/** SHA-256 of the snapshot bytes and what they are bound to (exported for the forgery tests). */
export function checksum(run: Sealed, approvals: readonly ApprovalRequest[]): string {
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
  key: SealKey,
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
  checkMac(r as Sealed, seal, key);
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

/**
 * The key a resume checks the seal with: `key` is the resuming call's `suspensionSecret`;
 * `unkeyedOk` lets a seal made without one through even so, for a caller that checked the
 * suspension's origin itself (the agent's signed continuation, possibly made by a codemode
 * that did not key its seals yet).
 */
export interface SealKey {
  key: Uint8Array | undefined;
  unkeyedOk?: boolean;
}

/**
 * A seal made with a key needs that key; a resume with a key needs a seal made with it
 * (else a forger would just drop the `mac` and recompute the checksum).
 */
function checkMac(run: Sealed, seal: Partial<SuspensionSeal>, { key, unkeyedOk }: SealKey): void {
  if (seal.mac === undefined) {
    if (key && !unkeyedOk) {
      refuse(
        "it was sealed without a suspensionSecret and this resume passes one, so it is not signed state (anyone who can edit it could have made it). Resume it without suspensionSecret if it never left your server, or run the program again with one",
      );
    }
    return;
  }
  if (!key) {
    refuse(
      "it was sealed with a suspensionSecret and this resume passes none; resume it with the same suspensionSecret",
    );
  }
  const given = typeof seal.mac === "string" ? Buffer.from(seal.mac, "base64url") : undefined;
  const expected = Buffer.from(mac(run, seal, key), "base64url");
  if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    refuse(
      "its signature does not match: it was changed since it was suspended, or sealed with another suspensionSecret",
    );
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
