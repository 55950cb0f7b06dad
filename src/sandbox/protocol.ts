/**
 * The messages between the host and a sandbox worker process, in one place. The shapes
 * they carry (`RunRequest`, `CallBatch`, `HostAnswer`, `RunOutcome`) serve the in-process
 * mode too, where runner.ts calls its host directly instead of posting a message. Durable
 * runs journal one level up (each tool call's outcome, src/durable/tool-step.ts, and each
 * LLM reply), not these messages.
 */
import type { ExecutionErrorType, LimitName } from "./error-types.js";
import type { Limits } from "./limits.js";
import type { TypeDiagnostic } from "./type-check.js";

/** What a run needs: the program, its inputs, its limits and the names it may call. */
export interface RunRequest {
  code: string;
  /** Input variables, already converted with `toPython`. */
  inputs: Record<string, unknown>;
  limits: Limits;
  /** Host functions the program may call (tool names). */
  toolNames: string[];
  /** Hand the program's data variables back at the end (see `state-capture.ts`). */
  keepState?: boolean;
  /** Continue a suspended program instead of starting `code`: the outcomes of its pending call. */
  resume?: { suspension: RunSuspension; outcomes: CallOutcome[] };
}

/** The host call a suspended program waits at: one tool call, or a parallel_map's batch. */
export type PendingStep =
  | { kind: "call"; name: string }
  | { kind: "parallel_map"; name: string; returnExceptions: boolean };

/** A program stopped at a host call, as data: enough to finish it in any process. */
export interface RunSuspension {
  /** `MontySnapshot.dump()`: the interpreter's whole state, limits included. */
  snapshot: Uint8Array;
  pending: PendingStep;
  /** The calls of the pending step, arguments as plain JS. */
  batch: CallBatch;
  /** Lines the prelude adds before the program (for error lines). */
  lineOffset: number;
  /** The running program is the rewrite that keeps its variables. */
  keepState: boolean;
  /** Printed bytes kept so far (the output limit spans the whole program). */
  outputBytes: number;
  /** The name of the state pause in this program (random per run). */
  stateHost?: string;
}

/** The variables a program kept for the next one: Monty's own values, by name. */
export interface RunState {
  values: Record<string, unknown>;
  /** Variables not kept: functions, modules and classes ("not data"), or past maxStateBytes. */
  dropped: { name: string; reason: "not data" | "too large"; kind?: string }[];
  /** The program could not be rewritten to keep its variables (none were kept). */
  unavailable?: true;
}

/** One call the program made, arguments as plain JS (see `fromPython`). */
export interface CallRequest {
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** How one call ended, as the sandbox needs to hear it. */
export type CallOutcome =
  | { ok: true; value: unknown }
  | {
      ok: false;
      /** Python exception type to raise (one of Monty's builtin names). */
      type: string;
      message: string;
      /** Ends the whole run instead of raising into Python (a limit was hit). */
      fatal?: boolean;
      /** With `fatal`: the limit that was hit. */
      limit?: LimitName;
    };

/** The host's answer to a batch: one outcome per call, or "suspend here" (an approval). */
export type HostAnswer = CallOutcome[] | { suspend: true; reason: string };

/** A batch of calls: one plain call, or all elements of a `parallel_map`. */
export interface CallBatch {
  calls: CallRequest[];
  /** Calls in flight at once, as asked by the program (capped by the host). */
  concurrency: number | null;
}

export interface SandboxErrorInfo {
  /** Python exception name, or a codemode error type (`TimeoutError`, `SandboxCrashError`, ...). */
  type: ExecutionErrorType;
  message: string;
  /** 1-based line in the program, when known. */
  line?: number;
  /** The limit that ended the run, when one did. */
  limit?: LimitName;
}

export type RunOutcome =
  | { ok: true; value: unknown; state?: RunState }
  | { ok: false; error: SandboxErrorInfo; suspension?: RunSuspension };

/** host -> worker */
export type HostMessage =
  | { type: "run"; id: number; request: RunRequest }
  | { type: "result"; id: number; seq: number; outcomes: HostAnswer }
  | { type: "cancel"; id: number }
  | { type: "check"; id: number; code: string; stub: string };

/** worker -> host */
export type WorkerMessage =
  | { type: "ready" }
  | { type: "call"; id: number; seq: number; batch: CallBatch; output: string[] }
  | { type: "done"; id: number; outcome: RunOutcome; output: string[]; rssBytes: number }
  | { type: "checked"; id: number; diagnostics: TypeDiagnostic[] };
