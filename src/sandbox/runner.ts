/**
 * The start/resume loop: runs one program in Monty, pausing at every host call.
 * The same loop serves the worker process and the in-process mode; only the
 * `RunnerHost` differs (a message hop, or a direct function call).
 */
import { cutErrorText, errorText } from "../error-text.js";
import { type ExecutionErrorType, type LimitName, pythonExceptionType } from "./error-types.js";
import { limitMessage } from "./limits.js";
import {
  monty,
  type NativeException,
  type NativeMonty,
  type NativeSnapshot,
  type Progress,
} from "./monty.js";
import { unknownNameMessage } from "./names.js";
import type {
  CallBatch,
  CallOutcome,
  HostAnswer,
  PendingStep,
  RunOutcome,
  RunRequest,
  RunState,
  SandboxErrorInfo,
} from "./protocol.js";
import { raisableExceptionType } from "./python-exceptions.js";
import {
  isStateName,
  needsStatePrelude,
  rangeArguments,
  STATE_HOST,
  stateHostName,
  statePrelude,
  withStateCapture,
} from "./state-capture.js";
import { fromPython, jsonByteSize } from "./values.js";

export interface RunnerHost {
  /**
   * Runs a batch of host calls; resolves with one outcome per call, in order, or with
   * `{ suspend }` when a call needs a human's approval first: the program then stops at
   * this call as a snapshot (`RunOutcome.suspension`), and nothing in the batch ran.
   */
  callTools(batch: CallBatch): Promise<HostAnswer>;
  /** Receives printed text as it is produced (already capped). */
  output(text: string): void;
  /** True once the run was cancelled; the loop then stops at the next pause. */
  isCancelled(): boolean;
}

/** The builtin the program calls; defined in Python so it accepts any iterable (range, dict, ...). */
export const PARALLEL_MAP = "parallel_map";
const PARALLEL_MAP_HOST = "__codemode_parallel_map__";
// Comprehensions, not `list(it)`: a program may rebind `list` (the prelude must not depend on
// a name the program can change).
const PRELUDE = `def ${PARALLEL_MAP}(tool, *iterables, concurrency=None, return_exceptions=False, **kwargs): return ${PARALLEL_MAP_HOST}(tool, [[x for x in it] for it in iterables], concurrency, return_exceptions, kwargs)\n`;
const PRELUDE_LINES = 1;

export async function runProgram(request: RunRequest, host: RunnerHost): Promise<RunOutcome> {
  if (request.resume) return resumeProgram(request, request.resume, host);
  const { code, limits } = request;
  const sourceBytes = Buffer.byteLength(code);
  if (sourceBytes > limits.maxSourceBytes) {
    return failure(
      "SourceTooLargeError",
      limitMessage("maxSourceBytes", `the program is ${sourceBytes} bytes`),
      undefined,
      "maxSourceBytes",
    );
  }
  // The prelude costs ~40 µs to parse; only programs that name parallel_map pay it.
  let lineOffset = code.includes(PARALLEL_MAP) ? PRELUDE_LINES : 0;
  let prelude = lineOffset ? PRELUDE : "";
  let inputs = request.inputs;
  // Keeping state, or starting from kept values Monty cannot take as inputs (a range):
  // one more line that binds what the state block needs before the program runs.
  if (request.keepState === true || needsStatePrelude(inputs)) {
    const state = statePrelude(inputs);
    prelude = state.line + prelude;
    inputs = state.inputs;
    lineOffset += 1;
  }
  const inputNames = Object.keys(inputs);
  const created = monty.Monty.create(prelude + code, { scriptName: "main.py", inputs: inputNames });
  if (created instanceof monty.MontyException) return syntaxFailure(created, lineOffset);
  if (created instanceof monty.MontyTypingError) {
    return failure("TypeError", created.display("concise"));
  }
  let program = created as NativeMonty;
  let keepState = request.keepState === true;
  const stateHost = stateHostName();
  if (keepState) {
    const exclude = new Set([...request.toolNames, PARALLEL_MAP]);
    const rewritten = monty.Monty.create(prelude + withStateCapture(code, exclude, stateHost), {
      scriptName: "main.py",
      inputs: inputNames,
    });
    // A rewrite the lexical scan got wrong must not fail a valid program: run it as it is.
    if (rewritten instanceof monty.MontyException || rewritten instanceof monty.MontyTypingError) {
      keepState = false;
    } else program = rewritten as NativeMonty;
  }
  const run = new ProgramRun(request, host, { lineOffset, keepState, outputBytes: 0, stateHost });
  if (request.keepState && !keepState) run.state!.unavailable = true;
  let progress: Progress;
  try {
    progress = program.start({
      ...(inputNames.length > 0 ? { inputs } : {}),
      limits: {
        maxMemory: limits.maxMemoryBytes,
        maxAllocations: finiteOrUndefined(limits.maxAllocations),
        maxDurationSecs: finiteOrUndefined(limits.timeoutMs / 1000),
        maxRecursionDepth: finiteOrUndefined(limits.maxRecursionDepth),
      },
      printCallback: run.print,
    });
  } catch (error) {
    return failure("SandboxError", `the sandbox could not start the program: ${errorText(error)}`);
  }
  return run.drive(progress);
}

/**
 * Continues a program suspended at a host call (an approval), in this process or another:
 * the snapshot holds the interpreter's whole state and its limits, so nothing that already
 * ran runs again. `outcomes` answer the pending call (or batch) it stopped at.
 */
async function resumeProgram(
  request: RunRequest,
  resume: NonNullable<RunRequest["resume"]>,
  host: RunnerHost,
): Promise<RunOutcome> {
  const { suspension, outcomes } = resume;
  const run = new ProgramRun(request, host, suspension);
  let snapshot: NativeSnapshot;
  try {
    snapshot = monty.MontySnapshot.load(Buffer.from(suspension.snapshot), {
      printCallback: run.print,
    });
  } catch (error) {
    return failure(
      "SandboxError",
      `the suspended program could not be loaded: ${errorText(error)}`,
    );
  }
  const step = finishStep(suspension.pending, outcomes);
  if ("fatal" in step) return { ok: false, error: step.fatal };
  let progress: Progress;
  try {
    progress = snapshot.resume(step.resume);
  } catch (error) {
    return failure("SandboxError", `the sandbox failed: ${errorText(error)}`);
  }
  return run.drive(progress);
}

/** One program's start/resume loop, with what it keeps between pauses. */
class ProgramRun {
  readonly state: StateReceiver | undefined;
  private readonly output: OutputCollector;
  private readonly toolNames: Set<string>;
  // Functions handed out for bare references to tools (`f = square`), made once per name.
  private readonly toolHandles = new Map<string, () => void>();

  constructor(
    private readonly request: RunRequest,
    private readonly host: RunnerHost,
    private readonly carried: {
      lineOffset: number;
      keepState: boolean;
      outputBytes: number;
      /** The state pause's name in this program (suspensions from before it was random: none). */
      stateHost?: string;
    },
  ) {
    this.state = carried.keepState ? new StateReceiver(request.limits.maxStateBytes) : undefined;
    this.output = new OutputCollector(request.limits.maxOutputBytes, host, carried.outputBytes);
    this.toolNames = new Set(request.toolNames);
  }

  readonly print = (_stream: string, text: string): undefined => this.output.write(text);

  async drive(start: Progress): Promise<RunOutcome> {
    const { limits, toolNames } = this.request;
    const { lineOffset } = this.carried;
    let progress = start;
    try {
      for (;;) {
        if (progress instanceof monty.MontyComplete) {
          const done = completion(progress.output, limits.maxResultBytes);
          return done.ok && this.state ? { ...done, state: this.state.result() } : done;
        }
        if (progress instanceof monty.MontyException) {
          return runtimeFailure(progress, lineOffset, toolNames);
        }
        if (progress instanceof monty.MontyNameLookup) {
          const name = progress.variableName;
          progress = this.toolNames.has(name)
            ? progress.resume({ value: toolHandle(this.toolHandles, name) })
            : progress.resume({});
          continue;
        }
        const snapshot = progress as NativeSnapshot;
        if (this.state && snapshot.functionName === (this.carried.stateHost ?? STATE_HOST)) {
          this.state.receive(snapshot.args);
          progress = snapshot.resume({ returnValue: null });
          continue;
        }
        this.output.flush();
        const prepared = prepareStep(snapshot, this.toolNames, toolNames, limits.maxToolCalls);
        let step: Step;
        if ("pending" in prepared) {
          const answer =
            prepared.batch.calls.length === 0 ? [] : await this.host.callTools(prepared.batch);
          if (this.host.isCancelled()) return failure("CancelledError", "the run was cancelled");
          if (!Array.isArray(answer)) {
            // The host wants a human first: the program stops here, as bytes.
            return {
              ok: false,
              error: { type: "ApprovalRequired", message: answer.reason },
              suspension: {
                snapshot: new Uint8Array(snapshot.dump()),
                pending: prepared.pending,
                batch: prepared.batch,
                lineOffset,
                keepState: this.state !== undefined,
                outputBytes: this.output.bytesKept,
                ...(this.carried.stateHost ? { stateHost: this.carried.stateHost } : {}),
              },
            };
          }
          step = finishStep(prepared.pending, answer);
        } else step = prepared;
        if ("fatal" in step) return { ok: false, error: step.fatal };
        progress = snapshot.resume(step.resume);
      }
    } catch (error) {
      return failure("SandboxError", `the sandbox failed: ${errorText(error)}`);
    } finally {
      this.output.flush();
    }
  }
}

type Resume = { returnValue: unknown } | { exception: { type: string; message: string } };
type Step = { resume: Resume } | { fatal: SandboxErrorInfo };

/**
 * A host call the program paused at, made ready: the batch of tool calls to run, or at
 * once a step (an unknown name, bad arguments to parallel_map). Serializable, so a
 * suspended program can be finished from its outcomes in another process.
 */
function prepareStep(
  snapshot: NativeSnapshot,
  toolNames: Set<string>,
  toolList: readonly string[],
  maxToolCalls: number,
): Step | { pending: PendingStep; batch: CallBatch } {
  const name = snapshot.functionName;
  if (name === PARALLEL_MAP_HOST) {
    return prepareParallelMap(snapshot.args, toolNames, toolList, maxToolCalls);
  }
  if (!toolNames.has(name)) {
    return raise("NameError", unknownNameMessage(name, toolList));
  }
  let args: unknown[];
  let kwargs: Record<string, unknown>;
  try {
    args = fromPython(snapshot.args) as unknown[];
    kwargs = fromPython(snapshot.kwargs) as Record<string, unknown>;
  } catch (error) {
    return raise("ValueError", `${name}(): ${errorText(error)}`);
  }
  return {
    pending: { kind: "call", name },
    batch: { calls: [{ name, args, kwargs }], concurrency: 1 },
  };
}

function prepareParallelMap(
  rawArgs: unknown[],
  toolNames: Set<string>,
  toolList: readonly string[],
  maxToolCalls: number,
): Step | { pending: PendingStep; batch: CallBatch } {
  const [tool, rawIterables, rawConcurrency, returnExceptions, rawKwargs] = rawArgs;
  if (typeof tool !== "string" || !toolNames.has(tool)) {
    const shown = typeof tool === "string" ? tool : String(tool);
    const hint = shown.startsWith("<function")
      ? "Only tool functions run on the host; for a Python function use a list comprehension."
      : unknownNameMessage(shown, toolList);
    return raise(
      "TypeError",
      `parallel_map() needs a tool, by name or as the function itself. ${hint}`,
    );
  }
  if (rawConcurrency !== null && !(typeof rawConcurrency === "number" && rawConcurrency >= 1)) {
    return raise("ValueError", "parallel_map(): concurrency must be a positive int or None");
  }
  // A batch past the run's whole allowance is refused here, before it is converted and
  // sent to the host: two million calls held the host's event loop for 9 s.
  const lengths = Array.isArray(rawIterables)
    ? rawIterables.map((column) => (Array.isArray(column) ? column.length : 0))
    : [];
  const requested = lengths.length === 0 ? 0 : Math.min(...lengths);
  if (requested > maxToolCalls) {
    return {
      fatal: {
        type: "ToolCallLimitError",
        message: limitMessage(
          "maxToolCalls",
          `a parallel_map of ${requested} calls would pass ${maxToolCalls} tool calls`,
        ),
        limit: "maxToolCalls",
      },
    };
  }
  let columns: unknown[][];
  // Keywords other than concurrency and return_exceptions go to every call (a program
  // suspended before they existed passes none).
  let kwargs: Record<string, unknown>;
  try {
    columns = fromPython(rawIterables) as unknown[][];
    kwargs = rawKwargs === undefined ? {} : (fromPython(rawKwargs) as Record<string, unknown>);
  } catch (error) {
    return raise("ValueError", `parallel_map(): ${errorText(error)}`);
  }
  const count = columns.length === 0 ? 0 : Math.min(...columns.map((c) => c.length));
  const calls = Array.from({ length: count }, (_, i) => ({
    name: tool,
    args: columns.map((column) => column[i]),
    kwargs: { ...kwargs },
  }));
  return {
    pending: { kind: "parallel_map", name: tool, returnExceptions: returnExceptions === true },
    batch: { calls, concurrency: (rawConcurrency as number | null) ?? null },
  };
}

/** The step that answers a pending call from its outcomes. */
function finishStep(pending: PendingStep, outcomes: readonly CallOutcome[]): Step {
  if (pending.kind === "call") {
    const [outcome] = outcomes;
    if (outcome === undefined) {
      return raise("RuntimeError", `${pending.name}(): the host gave no result`);
    }
    if (outcome.ok) return { resume: { returnValue: outcome.value } };
    if (outcome.fatal) return { fatal: fatalError(outcome) };
    return raise(outcome.type, outcome.message);
  }
  const fatal = outcomes.find((o) => !o.ok && o.fatal);
  if (fatal && !fatal.ok) return { fatal: fatalError(fatal) };
  if (pending.returnExceptions) {
    const values = outcomes.map((o) =>
      o.ok
        ? o.value
        : {
            __monty_type__: "Exception",
            excType: raisableExceptionType(o.type),
            message: o.message,
          },
    );
    return { resume: { returnValue: values } };
  }
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) return raise(failed.type, failed.message);
  return { resume: { returnValue: outcomes.map((o) => (o.ok ? o.value : null)) } };
}

/** A host answer that ends the run (a limit the dispatcher enforces), as the run's error. */
function fatalError(outcome: Extract<CallOutcome, { ok: false }>): SandboxErrorInfo {
  const error: SandboxErrorInfo = {
    type: outcome.type as ExecutionErrorType,
    message: cutErrorText(outcome.message),
  };
  if (outcome.limit !== undefined) error.limit = outcome.limit;
  return error;
}

function raise(type: string, message: string): Step {
  return { resume: { exception: { type: raisableExceptionType(type), message } } };
}

function toolHandle(cache: Map<string, () => void>, name: string): () => void {
  let handle = cache.get(name);
  if (!handle) {
    // Monty turns a JS function into a Python callable whose calls arrive under its `.name`.
    handle = () => undefined;
    Object.defineProperty(handle, "name", { value: name });
    cache.set(name, handle);
  }
  return handle;
}

function completion(raw: unknown, maxResultBytes: number): RunOutcome {
  let value: unknown;
  try {
    value = fromPython(raw);
  } catch (error) {
    return failure(
      "ValueError",
      `the program's final value cannot be returned: ${errorText(error)}`,
    );
  }
  const size = jsonByteSize(value, maxResultBytes);
  if (size > maxResultBytes) {
    return failure(
      "ResultTooLargeError",
      limitMessage(
        "maxResultBytes",
        `the final value is more than ${maxResultBytes} bytes as JSON`,
      ),
      undefined,
      "maxResultBytes",
    );
  }
  return { ok: true, value };
}

function syntaxFailure(error: NativeException, lineOffset: number): RunOutcome {
  const match = /line (\d+)/.exec(error.display("traceback"));
  const line = match ? Number(match[1]) - lineOffset : undefined;
  return failure(pythonExceptionType(error.exception.typeName), error.exception.message, line);
}

function runtimeFailure(
  error: NativeException,
  lineOffset: number,
  toolNames: readonly string[],
): RunOutcome {
  const { typeName, message } = error.exception;
  // The innermost frame in the user's code (frames inside the prelude are skipped).
  const frames = error.traceback().filter((f) => f.line > lineOffset);
  const last = frames[frames.length - 1];
  const line = last ? last.line - lineOffset : undefined;
  const type = pythonExceptionType(typeName);
  const limit = limitHit(type, message);
  if (limit !== undefined) return failure(type, limitMessage(limit, message), line, limit);
  const undefinedName = /^name '([^']+)' is not defined$/.exec(message);
  if (type === "NameError" && undefinedName) {
    return failure(type, unknownNameMessage(undefinedName[1]!, toolNames), line);
  }
  return failure(type, message, line);
}

/** The limit Monty enforced when it raised this error, if it was one of the run's limits. */
function limitHit(type: ExecutionErrorType, message: string): LimitName | undefined {
  if (type === "TimeoutError" && message.startsWith("time limit exceeded")) return "timeoutMs";
  if (type === "MemoryError") {
    if (message.startsWith("allocation limit")) return "maxAllocations";
    if (message.startsWith("memory limit")) return "maxMemoryBytes";
  }
  // Monty raises it for its recursion limit only: no program can raise one itself.
  if (type === "RecursionError") return "maxRecursionDepth";
  return undefined;
}

function failure(
  type: ExecutionErrorType,
  message: string,
  line?: number,
  limit?: LimitName,
): RunOutcome {
  const error: SandboxErrorInfo = { type, message: cutErrorText(message) };
  if (line !== undefined && line > 0) error.line = line;
  if (limit !== undefined) error.limit = limit;
  return { ok: false, error };
}

function finiteOrUndefined(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Keeps printed text up to the byte cap, then one note saying how much was cut. Text is
 * handed to the host in one piece per pause (tool call or end), not per print chunk.
 */
class OutputCollector {
  private cut: boolean;
  private pending: string[] = [];
  constructor(
    private readonly maxBytes: number,
    private readonly host: RunnerHost,
    /** Bytes kept before a suspension, when the program continues after one. */
    private bytes = 0,
  ) {
    this.cut = bytes >= maxBytes;
  }

  get bytesKept(): number {
    return this.bytes;
  }

  write(text: string): undefined {
    if (this.cut) return undefined;
    const size = Buffer.byteLength(text);
    if (this.bytes + size <= this.maxBytes) {
      this.bytes += size;
      this.pending.push(text);
      return undefined;
    }
    const kept = Buffer.from(text)
      .subarray(0, this.maxBytes - this.bytes)
      .toString();
    this.pending.push(
      kept,
      `\n[output truncated at ${this.maxBytes} bytes (limit maxOutputBytes); print less or raise the limit]\n`,
    );
    this.bytes = this.maxBytes;
    this.cut = true;
    return undefined;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    this.host.output(text);
  }
}

/**
 * The variables the rewritten program hands over as it ends, kept as Monty's own values (so
 * they go back in unchanged). Sized as JSON: past `maxStateBytes`, the largest are dropped.
 */
class StateReceiver {
  unavailable = false;
  private values: Record<string, unknown> = {};
  private dropped: RunState["dropped"] = [];

  constructor(private readonly maxBytes: number) {}

  receive(args: unknown[]): void {
    const [kept, dropped, rebuilt] = args;
    if (kept instanceof Map) {
      for (const [name, value] of kept) if (isStateName(name)) this.values[name] = value;
    }
    if (rebuilt instanceof Map) {
      for (const [name, entry] of rebuilt) {
        if (!isStateName(name) || !Array.isArray(entry)) continue;
        const [kind, value] = entry as unknown[];
        if (kind === "frozenset") {
          this.values[name] = { __codemode_rebuild__: "frozenset", value };
          continue;
        }
        const range = typeof value === "string" ? rangeArguments(value) : undefined;
        if (kind === "range" && range) {
          this.values[name] = { __codemode_rebuild__: "range", value: range };
        } else this.dropped.push({ name, reason: "not data", kind: String(kind) });
      }
    }
    if (Array.isArray(dropped)) {
      for (const entry of dropped) {
        const [name, kind] = Array.isArray(entry) ? entry : [entry];
        if (!isStateName(name)) continue;
        this.dropped.push({
          name,
          reason: "not data",
          ...(typeof kind === "string" ? { kind } : {}),
        });
      }
    }
  }

  result(): RunState {
    if (this.unavailable) return { values: {}, dropped: [], unavailable: true };
    const sizes = Object.entries(this.values).map(([name, value]) => {
      let bytes: number;
      try {
        bytes = jsonByteSize(fromPython(value), this.maxBytes + 1);
      } catch {
        bytes = Number.POSITIVE_INFINITY; // nested too deep to convert: cannot be kept
      }
      return { name, bytes };
    });
    let total = sizes.reduce((sum, s) => sum + s.bytes, 0);
    for (const { name, bytes } of [...sizes].sort((a, b) => b.bytes - a.bytes)) {
      if (total <= this.maxBytes) break;
      delete this.values[name];
      this.dropped.push({ name, reason: "too large" });
      total -= bytes;
    }
    return { values: this.values, dropped: this.dropped };
  }
}
