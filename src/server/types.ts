import type { ToolDescription } from "../agent/code-mode-agent.js";
import type { ConversationState } from "../agent/conversation-state.js";
import type { AgentEvent, AgentResult } from "../agent/types.js";
import type { ApprovalDecision } from "../execute/types.js";
import type { ChatMessage } from "../llm/types.js";
import type { ChatStateStore } from "./chat-state-store.js";
import type { ContinuationStore } from "./continuation-store.js";

/**
 * A run's result as the server takes it: an `AgentResult` whose `state` is opaque (a
 * `ConversationState`, or the sealed string of an agent that hands out sealed states, as
 * `DurableChatAgent` does).
 */
export type ChatRunResult = Omit<AgentResult, "state"> & { state?: ConversationState | string };

/**
 * What the chat server needs from an agent. `CodeModeAgent` satisfies it as is; a durable
 * runner (or a test double) only has to implement these members.
 */
export interface ChatAgent {
  /**
   * Answers one message. Must report progress through `onEvent` (ending with the `done`
   * event), stop soon after `signal` aborts, and resolve (not reject) for model or code
   * failures, with `result.error` set. A rejection is reported to the client as an error.
   * `state` is what this chat's last run returned as `result.state` (opaque to the server:
   * a `ConversationState`, or a sealed string from an agent that hands out sealed states;
   * absent for a new chat), `chatId` a key for the chat the state must be bound to. An agent
   * without conversations ignores both and returns no `state`.
   */
  run(
    message: string,
    history: readonly ChatMessage[],
    options: {
      signal?: AbortSignal;
      onEvent?: (event: AgentEvent) => void;
      state?: ConversationState | string;
      chatId?: string;
    },
  ): Promise<ChatRunResult>;
  /**
   * Continues a run that ended `status: "suspended"`, from its `result.continuation` (an
   * opaque string: the server stores it and hands it back, it never reads it), with a
   * decision for each pending approval id. Same contract as `run`; may suspend again.
   * Without it, the page shows a suspended run's approvals read-only.
   */
  resume?(
    continuation: string,
    decisions: Record<string, ApprovalDecision>,
    options?: { signal?: AbortSignal; onEvent?: (event: AgentEvent) => void },
  ): Promise<ChatRunResult>;
  /** Name, Python signature and description of each tool, for the sidebar. */
  toolDescriptions(): ToolDescription[];
  /** Whether tool calls are journaled (durable runs); shown by `/health`. */
  usesDurableTools(): boolean;
  /** The `provider:model` string, shown by `/health` when present. */
  readonly model?: string;
}

/** Whether the model can be called, and if not, what to do about it. */
export interface ModelSetup {
  /** The `provider:model` string. */
  model: string;
  /** False when a call would certainly fail (no API key, missing replay file). */
  ready: boolean;
  /** The environment variable to set, when a key is missing. */
  missingEnvVar?: string;
  /** A sentence for the page: what to set or what this model is. Never contains a secret. */
  notice?: string;
  /** Shell commands the page shows under the notice (what to run to fix it). */
  commands?: string[];
}

/** Custom authentication: return true to let the request through. */
export type ChatAuthHook = (request: Request) => boolean | Promise<boolean>;

export interface ChatAppOptions {
  /** The agent that answers. */
  agent: ChatAgent;
  /** Page title and heading. Default `"codemode chat"`. */
  title?: string;
  /** Suggested prompts shown as chips. */
  nudges?: readonly string[];
  /**
   * Who may call `/api/*`: `{ token }` for a bearer token, a hook, or `false` for nobody
   * checked. Default: a bearer token from `CODEMODE_CHAT_TOKEN` when set, else open.
   * The page, its assets and `/health` are always public.
   */
  auth?: { token: string } | ChatAuthHook | false;
  /**
   * What `/health` and the page say about the model. `ready: false` makes `/api/chat`
   * answer 503 with the notice instead of starting a run. Default: nothing is checked.
   */
  modelSetup?: ModelSetup | (() => ModelSetup);
  /** Largest request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Longest message in characters. Default 20 000. */
  maxMessageChars?: number;
  /** Most history messages a request may carry. Default 100. */
  maxHistoryMessages?: number;
  /** Runs executing at once; more wait in a queue. Default 8. */
  maxConcurrentRuns?: number;
  /** Runs waiting for a slot; beyond this `/api/chat` answers 503. Default 64. */
  maxQueuedRuns?: number;
  /** A run still going after this many milliseconds is cancelled. Default 300 000. */
  runTimeoutMs?: number;
  /**
   * Where suspended runs wait for their approvals (`POST /api/approvals` resumes them by
   * id). Default: this process's memory, so they are lost on restart. To survive one, pass
   * `directoryContinuationStore(dir)` (or your own store) and give the agent a
   * `continuations: { secret }` that is the same in every process.
   */
  store?: ContinuationStore;
  /**
   * Where each chat's state is kept between its messages (the agent's `result.state`, by a
   * hash of the chat id the server makes). Default: this process's memory (1000 chats, 7
   * days). To survive a restart, pass `directoryChatStateStore(dir)`.
   */
  chatStates?: ChatStateStore;
  /**
   * Strings that must never leave the server (they are replaced by `[redacted]` in every
   * response). Default: values of environment variables whose names end in `_KEY`,
   * `_TOKEN`, `_SECRET` or `_PASSWORD`.
   */
  secrets?: readonly string[];
}

/** The last line of a stream when the agent itself failed (rather than resolving with an error). */
export interface ChatErrorEvent {
  type: "error";
  error: { code: string; message: string };
}

/**
 * The last line of a stream that ended well. A suspended run's `done` carries
 * `continuationId` (send it to `POST /api/approvals` with the decisions) or, when the run
 * cannot be resumed here, `resumeUnavailable` saying why. `result.continuation` and
 * `result.state` are never sent. A `POST /api/chat` run's `done` carries `chatId`: send it
 * with the chat's next message, so the run starts from what this one's programs kept.
 */
export type ChatDoneEvent = Extract<AgentEvent, { type: "done" }> & {
  continuationId?: string;
  resumeUnavailable?: string;
  chatId?: string;
};

/** Everything `POST /api/chat` and `POST /api/approvals` can stream. */
export type ChatStreamEvent =
  | Exclude<AgentEvent, { type: "done" }>
  | ChatDoneEvent
  | ChatErrorEvent;
