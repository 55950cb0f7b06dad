/**
 * The one shape every tool takes once codemode has read it: a function the sandboxed
 * Python calls by `name`, with a JSON Schema for its arguments (used for the Python
 * signature, the type-check stub and validation) and an `execute` that runs on the host.
 */

/** A JSON Schema document (draft 2020-12 / draft-07 subset as produced by Zod and the AI SDK). */
export type JsonSchema = { [key: string]: unknown };

/** What a tool receives besides its arguments. */
export interface ToolContext {
  /** Aborted when the run is cancelled or times out: stop work and reject. */
  signal: AbortSignal;
  /** 1-based sequence number of this call within the run. */
  callSeq: number;
}

/** One parameter of a tool, in positional order. */
export interface ToolParameter {
  /** The Python parameter name (a property of the input schema). */
  name: string;
  /** The property's JSON Schema (`{}` when unknown). */
  schema: JsonSchema;
  /** True when the caller must pass it. */
  required: boolean;
  /** True when the schema gives a default; the default is then in `defaultValue`. */
  hasDefault: boolean;
  defaultValue?: unknown;
  /**
   * True for a `*args` parameter (a JS rest parameter of a function tool): it collects the
   * remaining positional arguments into an array, and parameters after it are keyword-only.
   */
  variadic?: boolean;
}

export type ValidationResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string };

/** Marker options for tools that run durably (see the durable layer). */
export interface DurableToolOptions {
  /**
   * In a durable run, extra attempts after a failure that is not a deliberate Python
   * exception (`ToolError`), within the call's step. Default `0`.
   */
  retries?: number;
  /**
   * In a durable run, milliseconds one attempt may take before Python sees a
   * `TimeoutError` (which is journaled like any result). Default: the tool's own
   * `timeoutMs` (from `defineTool`), else the run's `limits.toolTimeoutMs`.
   */
  timeoutMs?: number;
  /**
   * `false`: at most once. A call that a worker crash interrupted is not run again on
   * resume; Python gets a `RuntimeError` saying so. Default `true` (run again: at least once).
   */
  idempotent?: boolean;
}

/**
 * What a tool's calls do to the world, in the Model Context Protocol's names and meanings.
 * All optional; a tool without them may change things (MCP's defaults). Only a tool with
 * `readOnlyHint: true` or `idempotentHint: true` is run again by a retry; every other
 * completed call is recorded in the run's journal and replayed, not repeated.
 */
export interface ToolAnnotations {
  /** A human-readable title for the tool. */
  title?: string;
  /** The tool does not change its environment (a lookup, a search). */
  readOnlyHint?: boolean;
  /** The tool may destroy or overwrite (as opposed to only adding). MCP default: `true`. */
  destructiveHint?: boolean;
  /** Calling it again with the same arguments has no further effect. MCP default: `false`. */
  idempotentHint?: boolean;
  /** The tool reaches outside a closed world (the web, other people). MCP default: `true`. */
  openWorldHint?: boolean;
}

/** What a tool's `compensate` receives besides the call's input and result. */
export interface CompensationContext {
  /** Aborted when the compensation takes longer than the tool's time limit. */
  signal: AbortSignal;
  /** Why the run is being undone: it ended failed or cancelled. */
  reason: "failed" | "cancelled";
  /** The run's error text, when it failed. */
  error?: string;
}

/**
 * Undoes one completed call (a refund for a charge): gets the validated input and the
 * result the call returned. Runs at most once per call, newest call first, when a run with
 * `compensateOnFailure` ends failed or cancelled.
 */
export type Compensate = (
  input: Record<string, unknown>,
  result: unknown,
  context: CompensationContext,
) => unknown;

/** `true`, or whether this call (by its validated arguments) needs a human's approval. */
export type NeedsApproval =
  | boolean
  | ((input: Record<string, unknown>) => boolean | PromiseLike<boolean>);

export interface Tool {
  /** The name the model sees and the Python code calls. A valid Python identifier. */
  readonly name: string;
  /** Human/model-facing description; becomes the Python docstring. */
  readonly description: string;
  /** Parameters in positional order, derived from the input schema's `properties`. */
  readonly parameters: readonly ToolParameter[];
  /** JSON Schema of the keyword-argument object (type "object"). */
  readonly inputSchema: JsonSchema;
  /** JSON Schema of the return value, when known. */
  readonly outputSchema?: JsonSchema;
  /**
   * Validates (and may coerce/apply defaults to) the bound argument object.
   * Never throws: a failure carries a message naming the argument and what was expected.
   */
  validate(input: Record<string, unknown>): ValidationResult | Promise<ValidationResult>;
  /** Runs the tool on validated input. May be sync or async; may throw. */
  execute(input: Record<string, unknown>, context: ToolContext): unknown;
  /** Present when the tool is marked durable. */
  readonly durable?: DurableToolOptions;
  /**
   * A human must approve a call before it runs (the AI SDK's name and meaning): `true`, or
   * a function of the validated arguments. The program stops at the call until a decision
   * arrives (`onApproval`, or `agent.resume`); a denied call raises `PermissionError`.
   */
  readonly needsApproval?: NeedsApproval;
  /**
   * How long one call may take, overriding the run's `limits.toolTimeoutMs` for this tool.
   * When it passes, the call's `signal` is aborted and Python gets a catchable `TimeoutError`.
   */
  readonly timeoutMs?: number;
  /** What the tool's calls do to the world, in MCP's words (see `ToolAnnotations`). */
  readonly annotations?: ToolAnnotations;
  /** Undoes a completed call when a run with `compensateOnFailure` ends failed or cancelled. */
  readonly compensate?: Compensate;
}
