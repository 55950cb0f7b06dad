// @ts-check
// Types only (JSDoc): what the page reads from the server, checked against the server's own
// types by `npm run typecheck` (tsconfig.page.json). Nothing here runs; it is not served.

/** @typedef {import("../index.js").ChatStreamEvent} ChatStreamEvent */
/** @typedef {import("../index.js").ChatDoneEvent} ChatDoneEvent */
/** @typedef {import("../../index.js").AgentResult} AgentResult */
/** @typedef {import("../../index.js").AgentTurn} AgentTurn */
/** @typedef {import("../../index.js").AgentToolCall} AgentToolCall */
/** @typedef {import("../../index.js").ApprovalRequest} ApprovalRequest */
/** @typedef {import("../../index.js").PendingApproval} PendingApproval */
/** @typedef {import("../../index.js").ApprovalDecision} ApprovalDecision */
/** @typedef {import("../../index.js").ToolDescription} ToolDescription */
/** @typedef {import("../types.js").ModelSetup} ModelSetup */

/** @typedef {Record<string, ApprovalDecision>} Decisions */

/**
 * What `GET health` answers (the part the page reads).
 * @typedef {{ model?: string | null, llm?: Omit<ModelSetup, "model"> }} Health
 */
/** What `GET api/tools` answers. @typedef {{ tools?: ToolDescription[] }} ToolsAnswer */
/** What `GET api/nudges` answers. @typedef {{ nudges?: string[] }} NudgesAnswer */

// ---- the server's events as the page keeps them --------------------------------------------
// `storableEvent` (storage.js) leaves bulky values out before an event is saved; these are
// the saved forms. Each is wider than the live event, so a live event is one too.

/**
 * @typedef {Omit<Extract<ChatStreamEvent, { type: "turn_end" }>, "record"> & {
 *   record: Omit<AgentTurn, "toolCalls"> & { toolCalls?: AgentToolCall[], preview?: string }
 * }} StoredTurnEndEvent
 */
/**
 * @typedef {Omit<ApprovalRequest, "code"> & { code?: string, lineText?: string }} StoredApproval
 * @typedef {Omit<Extract<ChatStreamEvent, { type: "approval_requested" }>, "approvals"> & {
 *   approvals: StoredApproval[]
 * }} StoredApprovalRequestedEvent
 */
/**
 * @typedef {Omit<AgentResult, "value" | "toolCalls" | "turns">
 *   & Partial<Pick<AgentResult, "value" | "toolCalls" | "turns">>} StoredResult
 * @typedef {Omit<ChatDoneEvent, "result"> & { result: StoredResult }} StoredDoneEvent
 */
/**
 * A server event, live or as saved.
 * @typedef {Exclude<ChatStreamEvent, { type: "turn_end" | "approval_requested" | "done" }>
 *   | StoredTurnEndEvent | StoredApprovalRequestedEvent | StoredDoneEvent} ServerEvent
 */

// ---- the page's own events -------------------------------------------------------------------

/**
 * Why a request did not stream a finished run: a refusal, a cut-off stream, a network failure.
 * @typedef {{ title: string, message: string, status?: number }} Failure
 */
/**
 * Events the page makes itself and records in a message next to the server's, so a redraw
 * shows them too.
 * - `client_error`: `POST api/chat` did not stream a finished run.
 * - `approval_submitted`: the decisions for a suspended run were sent.
 * - `approval_error`: sending them failed (`retry`: the person may decide again).
 * @typedef {({ type: "client_error" } & Failure)
 *   | { type: "approval_submitted", continuationId: string, decisions: Decisions }
 *   | ({ type: "approval_error", continuationId: string, retry: boolean } & Failure)} PageEvent
 */

/** Everything an answer card renders. @typedef {ServerEvent | PageEvent} AnswerEvent */

/**
 * One message of the chat, as kept in localStorage.
 * @typedef {{ role: "user" | "assistant", content: string, events?: AnswerEvent[] }} Message
 */

export {};
