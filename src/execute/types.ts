import type { ExecutionErrorType, LimitName } from "../sandbox/error-types.js";
import type { Limits } from "../sandbox/limits.js";
import type { SandboxPool } from "../sandbox/pool.js";
import type { ToolSetInput } from "../tools/define/tool-set.js";
import type { TelemetryOptions } from "../tracing/spans.js";

/** How the program ends when it fails. */
export interface ExecutionError {
  /**
   * The Python exception name (`ValueError`, `NameError`, `SyntaxError`, ...) or one of
   * codemode's own (`ExecutionErrorType` lists them all): a limit's (`ToolCallLimitError`,
   * `ResultTooLargeError`, ...; `limit` says which), `CancelledError`, `SandboxError`,
   * `SandboxCrashError`, `ApprovalRequired`, `ProgramRejected`, and `TypeCheckError` (with
   * `typeCheck: true`: the program failed its type check against the tools' stubs, `line`
   * is the first diagnostic's, and nothing ran).
   */
  type: ExecutionErrorType;
  message: string;
  /** 1-based line of the program where it failed, when known. */
  line?: number;
  /**
   * The limit that ended the run (`"timeoutMs"`, `"maxToolCalls"`, ...), when one did; the
   * message says how to raise it. Absent for a program's or a tool's own error, also when
   * that is a `TimeoutError` or `MemoryError`.
   */
  limit?: LimitName;
}

/** One tool call the program made, as plain JSON-safe data. */
/** A failed tool call as the host records it. */
export interface ToolCallError {
  /** The Python exception type the program saw (`ValueError`, `RuntimeError`, …). */
  type: string;
  /** The exception's message: all that Python, and so the model, sees. */
  message: string;
  /**
   * The JavaScript stack when the tool threw an `Error`: for the host's logs and records
   * only, never shown to the program or the model.
   */
  stack?: string;
}

export interface ToolCallRecord {
  /** 1-based order in which calls started. */
  seq: number;
  name: string;
  /** Arguments by parameter name (or `{ args, kwargs }` when they could not be bound). */
  args: unknown;
  ok: boolean;
  /** The tool's return value (JSON-safe copy) when `ok`. */
  result?: unknown;
  /** The error raised into Python when not `ok`. */
  error?: ToolCallError;
  /** Epoch milliseconds when the call started. */
  startedAt: number;
  durationMs: number;
  /**
   * The call ran a tool that may change things (not `readOnlyHint` or `idempotentHint`):
   * it is in the run's journal, and a retry replays it rather than running it again.
   */
  sideEffect?: true;
  /**
   * The call did not run: an earlier attempt of this turn completed the same call (same
   * tool, canonically equal arguments), and this is its recorded outcome.
   */
  replayed?: true;
}

/**
 * A completed call of a tool that may change things (not `readOnlyHint` or
 * `idempotentHint`): what a failed or cancelled run reports, so nobody repeats it blindly.
 */
export interface SideEffect {
  tool: string;
  /** The arguments it ran with, by parameter name (JSON-safe). */
  args: Record<string, unknown>;
  ok: boolean;
  /** What it returned (JSON-safe), when `ok`. */
  result?: unknown;
  /** What it raised, when not `ok` (it ran, so it may still have changed something). */
  error?: { type: string; message: string };
  /** The call's seq within its program. */
  seq: number;
  /** The agent's turn and attempt that made the call (agent runs only). */
  turn?: number;
  attempt?: number;
}

interface ExecutionBase {
  /** Everything printed, in order, cut at `limits.maxOutputBytes` with a note. */
  output: string;
  toolCalls: ToolCallRecord[];
  durationMs: number;
}

export type ExecutionResult =
  | (ExecutionBase & {
      ok: true;
      value: unknown;
      /** With `keepState`: the variables for the next program (pass it as `state`). */
      state?: ProgramState;
    })
  | (ExecutionBase & {
      ok: false;
      error: ExecutionError;
      /**
       * Set when the program stopped at a call that needs approval (`error.type` is
       * `"ApprovalRequired"`): decide `suspended.approvals` and continue it with
       * `resumeExecution(suspended, decisions, options)`, now or in another process.
       */
      suspended?: SuspendedExecution;
    });

/** A call that waits for a human's decision, as every door lists it (`pendingApprovals`). */
export interface PendingApproval {
  /** Decide by this id (unique to this request). */
  id: string;
  tool: string;
  /** The validated arguments, by parameter name (JSON-safe). */
  args: Record<string, unknown>;
  /** The line that calls the tool, when the program names it on one line only. */
  line?: number;
  /**
   * How many times this tool already ran with these arguments in this run (a side-effecting
   * tool's completed calls, from the run's journal): set when it did, so the person
   * deciding can tell a repeat.
   */
  ranBefore?: number;
}

/** A call that waits for a human: what to show them. */
export interface ApprovalRequest extends PendingApproval {
  /**
   * The call's `seq` in `toolCalls` once it runs (1-based within the program): stable
   * across replays of the same program, for keys that must be deterministic (durable runs).
   */
  seq: number;
  /** The program that makes the call. */
  code: string;
}

/**
 * A human's decision: `true` runs the call; `false` or `{ approved: false, reason }` raises
 * `PermissionError` in the program (with the reason), which it may catch.
 */
export type ApprovalDecision = boolean | { approved: boolean; reason?: string };

/**
 * A program stopped at calls that need approval. Plain data (a `MontySnapshot` dump and
 * the run's record so far): keep it in memory, or serialize it (`v8.serialize`) to resume
 * in another process; treat it as trusted state, since it is the program's whole heap.
 * `CodeModeAgent` wraps it in a signed `continuation` string for that reason.
 */
export interface SuspendedExecution {
  readonly version: number;
  /** The calls waiting for a decision (a parallel_map can wait on several). */
  readonly approvals: readonly ApprovalRequest[];
  /** The tools the program was running against; a resume must pass the same names. */
  readonly toolNames: readonly string[];
  /** The snapshot and the run so far (internal layout, versioned by `version`). */
  readonly run: unknown;
}

/**
 * The top-level variables that hold data after a run with `keepState`: the variables it
 * started with (`state`) updated by what the program assigned. Values stay Python values
 * (dict keys, tuples, sets and dates keep their types): treat them as opaque and hand the
 * whole object back as `execute(next, { state })`. A failed program keeps nothing.
 */
export interface ProgramState {
  readonly variables: Readonly<Record<string, unknown>>;
  /**
   * Names the program assigned that are not kept: functions, modules and classes ("not
   * data"), and the largest variables past `limits.maxStateBytes` ("too large").
   */
  readonly dropped: readonly {
    name: string;
    reason: "not data" | "too large";
    /** For "not data": the Python type that cannot cross (`function`, `module`, `iterator`, ...). */
    kind?: string;
  }[];
}

/** Where the program runs. */
export type Isolation =
  /** A pool of child processes (default): survives native crashes and CPU-bound loops. */
  | "process"
  /** The host process, for trusted code: fastest, but a crash or a busy loop hits the host. */
  | "in-process";

export interface ExecuteOptions {
  /** Tools the program may call: an array (keyed by name) or a record (keyed by the record key). */
  tools?: ToolSetInput;
  /** Values that become Python variables of the same name. */
  inputs?: Record<string, unknown>;
  /**
   * Return the program's data variables as `result.state`, for the next program (how the
   * agent's turns carry `rows = fetch_data()` over). Default `false`.
   */
  keepState?: boolean;
  /** Variables from an earlier run's `result.state`: the program starts with them defined. */
  state?: ProgramState;
  /**
   * Type-check the program against the tools' stubs (and the inputs' names) before it
   * runs. A wrong argument, a misspelt tool or a wrong TypedDict key then ends the run as
   * a `TypeCheckError` with its line, before any tool is called. Default `false` here;
   * `CodeModeAgent`, `codeModeTool` and the MCP server's `run_python` turn it on.
   */
  typeCheck?: boolean;
  /**
   * Add `search_tools(query, limit=10)` and `describe_tool(name)` to the program's functions:
   * it can find tools by words and read a tool's full signature, docstring and TypedDicts,
   * for tool sets too large to list in a prompt. They are tool calls like any other: in
   * `toolCalls`, and counted against `maxToolCalls`. Default `false`; the agent turns it on
   * with its compact listing (docs/tools.md#large-tool-sets-search-from-inside-the-program).
   */
  toolDiscovery?: boolean;
  /** Limits to override; see `DEFAULT_LIMITS` for every default. */
  limits?: Partial<Limits>;
  /**
   * Decides calls to tools with `needsApproval` as they come. The program stops at such a
   * call (as a snapshot: no worker is held and the time limit does not count the wait)
   * until this resolves. Without it, the run ends with `error.type "ApprovalRequired"` and
   * `suspended`, to continue with `resumeExecution`. A parallel_map asks once per call
   * that needs approval, all at once, and runs none of its calls before every one is decided.
   */
  onApproval?(request: ApprovalRequest): ApprovalDecision | Promise<ApprovalDecision>;
  /**
   * Signs `result.suspended` (HMAC-SHA256, a string or bytes of at least 32 bytes): pass the
   * same one to `resumeExecution`, which then refuses, before anything runs, a suspension
   * changed or made without this key. One sealed with a key resumes only with it; one
   * sealed without a key is refused by a resume that passes one. Without it, the seal is a
   * checksum: it catches corruption, not a forgery. Same key in every process that resumes.
   */
  suspensionSecret?: string | Uint8Array;
  /** OpenTelemetry: record content (code, tool arguments and results) in the spans. */
  telemetry?: TelemetryOptions;
  /** Cancels the run; passed on to tools so in-flight calls can stop too. */
  signal?: AbortSignal;
  /** Default `"process"`. */
  isolation?: Isolation;
  /** The worker pool for `"process"` isolation. Default: a shared pool sized to the CPU count. */
  pool?: SandboxPool;
  /** Called as a tool call starts. */
  onToolCall?(call: { seq: number; name: string; args: unknown; replayed?: true }): void;
  /** Called as a tool call ends, with its full record. */
  onToolResult?(record: ToolCallRecord): void;
  /** Called with printed text as the program produces it (at tool-call boundaries across the pool). */
  onOutput?(text: string): void;
}
