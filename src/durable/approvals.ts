/**
 * Approvals in durable runs. A call to a tool with `needsApproval` waits on a Restate
 * workflow promise whose name is derived from the journal (the program's number in the run
 * and the call's seq), so every replay of the run, on any worker, waits on the same promise.
 * The run publishes the request in its progress under that key; the workflow's `approve`
 * handler resolves the promise with the decision.
 */
import type { AgentEvent } from "../agent/types.js";
import { type ApprovalVerdict, checkDecision } from "../execute/call-policy.js";
import type { ApprovalRequest } from "../execute/types.js";

/**
 * What the promise holds, and what the `approve` handler takes besides `key`: the verdict
 * every door reads a decision into (execute/call-policy.ts).
 */
export type DurableVerdict = ApprovalVerdict;

/** The body of `POST /<service>/<runId>/approve`. */
export interface DurableApproveInput extends DurableVerdict {
  key: string;
}

/** The promise a run's `seq`-th call of its `execution`-th program waits on. */
export function approvalKey(execution: number, seq: number): string {
  return `approval-${execution}-${seq}`;
}

const KEY = /^approval-[1-9][0-9]*-[1-9][0-9]*$/;

export const APPROVE_BODY_SHAPE =
  '{ "key": "approval-<program>-<seq>", "approved": true | false, "reason"?: string }';

/** The body checked: the decision, or what is wrong with it. */
export function parseApproveInput(
  input: unknown,
): { ok: true; key: string; verdict: DurableVerdict } | { ok: false; message: string } {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, message: `the body must be ${APPROVE_BODY_SHAPE}` };
  }
  const { key, approved, reason, ...rest } = input as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) {
    return { ok: false, message: `unknown field "${extra[0]}"; the body is ${APPROVE_BODY_SHAPE}` };
  }
  if (typeof key !== "string" || !KEY.test(key)) {
    return {
      ok: false,
      message: `"key" must be an approval key such as "approval-1-2" (the id in the run's pending approvals), got ${JSON.stringify(key) ?? "nothing"}`,
    };
  }
  const verdict = checkDecision({ approved, ...(reason !== undefined ? { reason } : {}) });
  if (typeof verdict === "string") return { ok: false, message: verdict };
  return { ok: true, key, verdict };
}

/** The approvals a run's progress shows as requested and not yet decided, in order. */
export function pendingInProgress(events: readonly AgentEvent[]): ApprovalRequest[] {
  const pending = new Map<string, ApprovalRequest>();
  for (const event of events) {
    if (event.type === "approval_requested") {
      for (const request of event.approvals) pending.set(request.id, request);
    } else if (event.type === "approval_decided") {
      pending.delete(event.id);
    }
  }
  return [...pending.values()];
}

/** Whether the progress shows `key` as requested (decided or not). */
export function requestedInProgress(events: readonly AgentEvent[], key: string): boolean {
  return events.some(
    (event) => event.type === "approval_requested" && event.approvals.some((a) => a.id === key),
  );
}

/** The continuation `DurableChatAgent` hands out: the workflow itself holds the state. */
export const DURABLE_CONTINUATION_PREFIX = "durable:";
