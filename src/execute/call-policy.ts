/**
 * The one home of the rules every tool call follows, whatever door its program came
 * through (`execute`, the agent, the chat server, MCP, durable runs): how a human's
 * decision is read, that every pending call is decided at once, the cap on a denial's
 * reason, and how a pending call is shown. The doors call these; none re-implements them.
 */
import { toJsonSafe } from "../sandbox/values.js";
import type {
  ApprovalDecision,
  ApprovalRequest,
  PendingApproval,
  SideEffect,
  ToolCallRecord,
} from "./types.js";

/** Longest reason a denial may give (it reaches the program's `PermissionError`). */
export const MAX_REASON_CHARS = 2_000;

/** A decision read: run the call, or raise `PermissionError` with the reason. */
export interface ApprovalVerdict {
  approved: boolean;
  reason?: string;
}

export const DECISION_SHAPE = 'true, false or { "approved": boolean, "reason"?: string }';

/** An `ApprovalDecision` from outside (an HTTP body, a caller) as a verdict, or why not. */
export function checkDecision(decision: unknown): ApprovalVerdict | string {
  if (decision === true || decision === false) return { approved: decision };
  if (decision === null || typeof decision !== "object" || Array.isArray(decision)) {
    return `a decision is ${DECISION_SHAPE}`;
  }
  const { approved, reason } = decision as { approved?: unknown; reason?: unknown };
  if (typeof approved !== "boolean") {
    return `"approved" must be true or false, got ${JSON.stringify(approved) ?? "nothing"}`;
  }
  if (reason !== undefined && typeof reason !== "string") {
    return `"reason" must be a string, got ${JSON.stringify(reason)}`;
  }
  if (typeof reason === "string" && reason.length > MAX_REASON_CHARS) {
    return `"reason" is longer than ${MAX_REASON_CHARS} characters`;
  }
  const trimmed = typeof reason === "string" ? reason.trim() : "";
  return trimmed ? { approved, reason: trimmed } : { approved };
}

/**
 * What an `onApproval` callback answered, as a verdict. Anything that is not a decision
 * denies the call (asking was the point; running on a garbled answer is not the safe side),
 * and the program's `PermissionError` says why.
 */
export function verdictOf(decision: ApprovalDecision | undefined): ApprovalVerdict {
  const verdict = checkDecision(decision);
  if (typeof verdict !== "string") return verdict;
  return {
    approved: false,
    reason: `the approval callback's answer was not a decision (${verdict})`,
  };
}

/**
 * The one rule for decisions on a suspended run: every pending call is decided in one go
 * (a parallel_map's calls run together or not at all), and nothing else is. Returns the
 * verdicts by approval id, or what is wrong (a sentence without a trailing period).
 */
export function decideEvery(
  pending: readonly Pick<PendingApproval, "id" | "tool">[],
  decisions: unknown,
): { ok: true; verdicts: Map<string, ApprovalVerdict> } | { ok: false; message: string } {
  if (decisions === null || typeof decisions !== "object" || Array.isArray(decisions)) {
    return {
      ok: false,
      message: `the decisions are { "<approval id>": ${DECISION_SHAPE} }`,
    };
  }
  const given = decisions as Record<string, unknown>;
  const verdicts = new Map<string, ApprovalVerdict>();
  for (const { id, tool } of pending) {
    if (!Object.hasOwn(given, id)) {
      return {
        ok: false,
        message: `no decision for approval ${id} (${tool}()): decide every pending approval of the run at once`,
      };
    }
    const verdict = checkDecision(given[id]);
    if (typeof verdict === "string") {
      return { ok: false, message: `the decision for approval ${id}: ${verdict}` };
    }
    verdicts.set(id, verdict);
  }
  const unknown = Object.keys(given).find((id) => !verdicts.has(id));
  if (unknown !== undefined) {
    return {
      ok: false,
      message: `${JSON.stringify(unknown)} is not one of this run's approvals (${pending.map((p) => p.id).join(", ")})`,
    };
  }
  return { ok: true, verdicts };
}

/** A request as `pendingApprovals` lists it (no program text, no seq). */
export function pendingApproval(request: PendingApproval): PendingApproval {
  const { id, tool, args, line, ranBefore } = request;
  return {
    id,
    tool,
    args,
    ...(line !== undefined ? { line } : {}),
    ...(ranBefore ? { ranBefore } : {}),
  };
}

/** The fields of an `approval_decided` event for `request` and what was decided. */
export function decidedEvent(
  request: Pick<ApprovalRequest, "id" | "tool">,
  verdict: ApprovalVerdict,
): { id: string; tool: string; approved: boolean; reason?: string } {
  return {
    id: request.id,
    tool: request.tool,
    approved: verdict.approved,
    ...(verdict.reason ? { reason: verdict.reason } : {}),
  };
}

// ---- The run's journal: completed side-effecting calls, and their replay on a retry ----

/**
 * One completed call of a tool that is not read-only or idempotent. Plain data, so the
 * journal travels inside a continuation and is rebuilt alike by a durable run's replay.
 */
export interface JournalEntry {
  tool: string;
  /** The validated arguments, JSON-safe. */
  args: Record<string, unknown>;
  /**
   * The tool and its arguments as canonical JSON (object keys sorted): what a replay
   * matches. Made when first needed (a retry, an approval), not on the call's hot path.
   */
  key?: string;
  ok: boolean;
  /** The value Python got back, as it went in (replayed as is). */
  value?: unknown;
  /** The exception Python got, when the call raised. */
  error?: { type: string; message: string };
  turn: number;
  attempt: number;
  /** The call's seq within its program. */
  seq: number;
  /** Its compensation has started (`compensateOnFailure`): it never starts again. */
  compensated?: true;
}

/**
 * The journal of one run. Entries of the current turn's earlier (failed) attempts are what
 * the current program may replay; a new turn starts with none, so a later turn may poll on
 * purpose. `used` counts, per key, the entries the current program has replayed.
 */
export interface EffectJournal {
  entries: JournalEntry[];
  turn: number;
  attempt: number;
  /** Index of the first entry of the current turn. */
  turnStart: number;
  /** Entries before this index (and from `turnStart`) are replayable by the current program. */
  replayEnd: number;
  used: Record<string, number>;
}

export function newJournal(): EffectJournal {
  return { entries: [], turn: 1, attempt: 1, turnStart: 0, replayEnd: 0, used: {} };
}

/**
 * A program starts (not a resume): in a new turn nothing is replayable; in a retry, every
 * call the turn's earlier attempts completed is.
 */
export function beginProgram(journal: EffectJournal, turn: number, attempt: number): void {
  if (turn !== journal.turn) journal.turnStart = journal.entries.length;
  journal.turn = turn;
  journal.attempt = attempt;
  journal.replayEnd = journal.entries.length;
  journal.used = {};
}

/**
 * The replayable entries by key and the tools they are of, built once per program (and
 * again only when the window moves). Kept beside the journal, not in it: the journal stays
 * plain data for continuations.
 */
const replayIndexes = new WeakMap<
  EffectJournal,
  { from: number; to: number; byKey: Map<string, JournalEntry[]>; tools: Set<string> }
>();

function replayIndex(journal: EffectJournal) {
  let index = replayIndexes.get(journal);
  if (index?.from !== journal.turnStart || index.to !== journal.replayEnd) {
    index = {
      from: journal.turnStart,
      to: journal.replayEnd,
      byKey: new Map(),
      tools: new Set(),
    };
    for (let i = journal.turnStart; i < journal.replayEnd; i++) {
      const entry = journal.entries[i]!;
      const key = entryKey(entry);
      const same = index.byKey.get(key);
      if (same) same.push(entry);
      else index.byKey.set(key, [entry]);
      index.tools.add(entry.tool);
    }
    replayIndexes.set(journal, index);
  }
  return index;
}

/** Completed calls the current program may replay, for the given tool name. */
export function hasReplayable(journal: EffectJournal, tool: string): boolean {
  return replayIndex(journal).tools.has(tool);
}

/**
 * The entry the next call with `key` replays: the k-th replayable entry with that key for
 * the program's k-th such call. `pending` counts the replays a batch has claimed but not yet
 * committed (`commitReplays`); without it the claim goes straight into the journal.
 */
export function replayFor(
  journal: EffectJournal,
  key: string,
  pending?: Map<string, number>,
): JournalEntry | undefined {
  const claimed = pending?.get(key) ?? 0;
  const k = (journal.used[key] ?? 0) + claimed;
  const entry = replayIndex(journal).byKey.get(key)?.[k];
  if (entry) {
    if (pending) pending.set(key, claimed + 1);
    else journal.used[key] = k + 1;
  }
  return entry;
}

/** A batch's claimed replays, once it runs (a batch that suspends claims them on resume). */
export function commitReplays(journal: EffectJournal, pending: Map<string, number>): void {
  for (const [key, n] of pending) journal.used[key] = (journal.used[key] ?? 0) + n;
}

/** How many times the run already completed this call (same tool, canonical arguments). */
export function ranBefore(journal: EffectJournal, key: string): number {
  let n = 0;
  for (const entry of journal.entries) if (entryKey(entry) === key) n += 1;
  return n;
}

/** An entry's canonical key, made once. */
function entryKey(entry: JournalEntry): string {
  entry.key ??= callKey(entry.tool, entry.args);
  return entry.key;
}

/** The canonical form of a call: tool name and JSON with object keys sorted. */
export function callKey(tool: string, args: unknown): string {
  return `${tool}(${canonicalJson(args)})`;
}

/** JSON with object keys in sorted order, for JSON-safe data. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  const parts = keys.map(
    (k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`,
  );
  return `{${parts.join(",")}}`;
}

/** A journal entry as runs report it (`AgentResult.effects`). */
export function effectOf(entry: JournalEntry): SideEffect {
  return {
    tool: entry.tool,
    args: entry.args,
    ok: entry.ok,
    ...(entry.ok ? { result: toJsonSafe(entry.value) } : { error: entry.error! }),
    seq: entry.seq,
    turn: entry.turn,
    attempt: entry.attempt,
  };
}

/** The side-effecting calls among one program's records (for a door without a journal). */
export function effectsOfCalls(calls: readonly ToolCallRecord[]): SideEffect[] {
  return calls
    .filter((c) => c.sideEffect)
    .map((c) => ({
      tool: c.name,
      args: c.args as Record<string, unknown>,
      ok: c.ok,
      // An outer model reads effects: the type and message, not the host-side stack.
      ...(c.ok
        ? { result: c.result }
        : { error: { type: c.error!.type, message: c.error!.message } }),
      seq: c.seq,
    }));
}
