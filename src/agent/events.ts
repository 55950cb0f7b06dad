/**
 * The agent's events, built in one place: one small typed function per `AgentEvent`, and
 * `emitEvent`, which hands one to the run's `onEvent` (a listener's throw never breaks a run).
 * The loop (run-loop.ts) and `CodeModeAgent.run` emit only what these build.
 */
import type { ConversationStateError } from "../errors.js";
import { type ApprovalVerdict, decidedEvent } from "../execute/call-policy.js";
import type { ApprovalRequest, ToolCallRecord } from "../execute/types.js";
import type { AgentEvent, AgentResult, AgentTurn, AttemptInfo, Compensation } from "./types.js";

/** The event of `type`. */
export type EventOf<T extends AgentEvent["type"]> = Extract<AgentEvent, { type: T }>;

/** Hands `event` to `listener`; a listener's bug must not break the run. */
export function emitEvent(
  listener: ((event: AgentEvent) => void) | undefined,
  event: AgentEvent,
): void {
  try {
    listener?.(event);
  } catch {
    // A listener's bug must not break the run.
  }
}

/** Where the run is, for a turn's start and end events. */
export interface TurnPosition {
  turn: number;
  maxTurns: number;
  maxAttempts: number;
}

export const turnStart = (at: TurnPosition): EventOf<"turn_start"> => ({
  type: "turn_start",
  turn: at.turn,
  maxTurns: at.maxTurns,
  attempt: 1,
  maxAttempts: at.maxAttempts,
});

export const turnEnd = (
  at: TurnPosition,
  attempt: number,
  record: AgentTurn,
): EventOf<"turn_end"> => ({
  type: "turn_end",
  turn: at.turn,
  maxTurns: at.maxTurns,
  attempt,
  maxAttempts: at.maxAttempts,
  record,
});

export const approvalRequested = (
  approvals: ApprovalRequest[],
  info: AttemptInfo,
): EventOf<"approval_requested"> => ({ type: "approval_requested", approvals, ...info });

export const approvalDecided = (
  request: Pick<ApprovalRequest, "id" | "tool">,
  verdict: ApprovalVerdict,
  info: AttemptInfo,
): EventOf<"approval_decided"> => ({
  type: "approval_decided",
  ...decidedEvent(request, verdict),
  ...info,
});

export const generatingCode = (info: AttemptInfo): EventOf<"generating_code"> => ({
  type: "generating_code",
  ...info,
});

export const codeGenerated = (code: string, info: AttemptInfo): EventOf<"code_generated"> => ({
  type: "code_generated",
  code,
  ...info,
});

export const executing = (info: AttemptInfo): EventOf<"executing"> => ({
  type: "executing",
  ...info,
});

export const compensation = (done: Compensation, info: AttemptInfo): EventOf<"compensation"> => ({
  type: "compensation",
  compensation: done,
  ...info,
});

export const toolCall = (
  call: EventOf<"tool_call">["call"],
  info: AttemptInfo,
): EventOf<"tool_call"> => ({ type: "tool_call", call, ...info });

export const toolResult = (record: ToolCallRecord, info: AttemptInfo): EventOf<"tool_result"> => ({
  type: "tool_result",
  record,
  ...info,
});

export const output = (text: string, info: AttemptInfo): EventOf<"output"> => ({
  type: "output",
  text,
  ...info,
});

export const retrying = (error: string, info: AttemptInfo): EventOf<"retrying"> => ({
  type: "retrying",
  error,
  ...info,
});

export const formatting = (info: AttemptInfo): EventOf<"formatting"> => ({
  type: "formatting",
  ...info,
});

export const stateRefused = (
  error: ConversationStateError,
  info: AttemptInfo,
): EventOf<"state_refused"> => ({ type: "state_refused", error, ...info });

export const done = (result: AgentResult, info: AttemptInfo): EventOf<"done"> => ({
  type: "done",
  result,
  ...info,
});
