/**
 * The one home of the rules every tool call follows, whatever door its program came
 * through (`execute`, the agent, the chat server, MCP, durable runs): how a human's
 * decision is read, that every pending call is decided at once, the cap on a denial's
 * reason, and how a pending call is shown. The doors call these; none re-implements them.
 */
import type { ApprovalDecision, ApprovalRequest, PendingApproval } from "./types.js";

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
