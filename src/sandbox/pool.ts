/**
 * A pool of sandbox worker processes. Model-written code runs there so that a native
 * crash (Monty can SIGSEGV/SIGABRT on some inputs) or a CPU-bound loop can neither take
 * the host down nor freeze its event loop. Child processes, not worker threads: a native
 * crash in a thread kills the whole process.
 *
 * Runs queue fairly (FIFO); a worker that crashed, hung past its limit or grew too large
 * is replaced.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import type { ExecutionErrorType } from "./error-types.js";
import type {
  CallBatch,
  CallOutcome,
  HostAnswer,
  HostMessage,
  RunOutcome,
  RunRequest,
  WorkerMessage,
} from "./protocol.js";
import type { Sandbox } from "./sandbox.js";
import type { TypeDiagnostic } from "./type-check.js";

export interface SandboxPoolOptions {
  /** Worker processes. Default: the number of CPU cores, at most 4. */
  size?: number;
  /** A worker whose resident memory passes this after a run is replaced. Default 512 MiB. */
  maxWorkerRssBytes?: number;
  /** How long a timed-out worker may take to stop by itself before it is killed. Default 500 ms. */
  killGraceMs?: number;
  /**
   * Environment of the worker processes. Default: only what Node itself needs (`PATH`,
   * `NODE_*`, locale, temp dirs), so API keys and other secrets of the host are not in the
   * process that runs model-written code.
   */
  env?: NodeJS.ProcessEnv;
}

/** What the pool needs from the caller during one run. */
export interface PoolRunHost {
  callTools(batch: CallBatch): Promise<HostAnswer>;
  output(text: string): void;
  /** Called when a worker takes the run (the run's clock starts here, not while queued). */
  onDispatch?(): void;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  stderrTail: string;
  run?: ActiveRun;
  dead: boolean;
}

interface ActiveRun {
  id: number;
  awaitingHost: boolean;
  settled: boolean;
  settle(outcome: RunOutcome): void;
  onMessage(message: WorkerMessage): void;
}

interface Waiter {
  resolve(worker: Worker): void;
}

const workerScript = resolveWorkerScript();

function resolveWorkerScript(): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL("./worker.js", import.meta.url));
  if (existsSync(js)) return { path: js, execArgv: [] };
  // Running from TypeScript sources (tests, tsx): load the worker through tsx.
  return {
    path: fileURLToPath(new URL("./worker.ts", import.meta.url)),
    execArgv: ["--import", "tsx"],
  };
}

export class SandboxPool implements Sandbox {
  readonly size: number;
  private readonly maxWorkerRssBytes: number;
  private readonly killGraceMs: number;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly waiters: Waiter[] = [];
  private nextRunId = 1;
  private closed = false;
  /** Counters for monitoring and tests. */
  readonly stats = { runs: 0, crashes: 0, timeouts: 0, replaced: 0, spawned: 0 };

  constructor(options: SandboxPoolOptions = {}) {
    const size = options.size ?? Math.min(4, Math.max(1, availableParallelism()));
    if (!Number.isInteger(size) || size < 1) {
      throw new InvalidOptionsError(`SandboxPool size must be a positive integer (got ${size}).`);
    }
    this.size = size;
    this.maxWorkerRssBytes = options.maxWorkerRssBytes ?? 512 * 1024 * 1024;
    this.killGraceMs = options.killGraceMs ?? 500;
    this.env = options.env;
  }

  /** Starts the workers now instead of on first use (saves ~100 ms on the first run). */
  async warm(): Promise<void> {
    const fresh: Worker[] = [];
    while (this.all.size < this.size) {
      const worker = this.spawn();
      fresh.push(worker);
      this.idle.push(worker);
    }
    const started = await Promise.allSettled([...this.all].map((w) => w.ready));
    // Once started, idle workers must not keep the host alive (a run took any that are busy).
    for (const worker of fresh) if (!worker.run && !worker.dead) setRef(worker, false);
    const failure = started.find((s) => s.status === "rejected");
    if (failure) throw failure.reason;
  }

  /** Process ids of the live workers (for monitoring, and for tests that kill one). */
  get pids(): number[] {
    return [...this.all].map((w) => w.child.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Runs one program in a worker. Never rejects: every failure is a `RunOutcome`. */
  async run(request: RunRequest, host: PoolRunHost, signal?: AbortSignal): Promise<RunOutcome> {
    if (this.closed) return fail("SandboxError", "the sandbox pool is closed; create a new one");
    if (signal?.aborted) return abortOutcome(signal);
    let worker: Worker | undefined;
    try {
      worker = await this.acquire(signal);
      await worker.ready;
    } catch {
      if (signal?.aborted) return abortOutcome(signal);
      const tail = worker?.stderrTail.trim().slice(-500);
      return fail("SandboxError", `a sandbox worker could not start${tail ? `: ${tail}` : ""}`);
    }
    if (worker.dead) return this.run(request, host, signal);
    if (signal?.aborted) {
      this.release(worker);
      return abortOutcome(signal);
    }
    this.stats.runs += 1;
    host.onDispatch?.();
    return new Promise<RunOutcome>((resolve) =>
      this.dispatch(worker, request, host, signal, resolve),
    );
  }

  /**
   * Type-checks a program in a worker (the checker takes ~40 ms of CPU, which would
   * otherwise stall the host's event loop). Resolves `[]` if the worker died meanwhile.
   */
  async typeCheck(code: string, stub: string, signal?: AbortSignal): Promise<TypeDiagnostic[]> {
    if (this.closed || signal?.aborted) return [];
    let worker: Worker;
    try {
      worker = await this.acquire(signal);
      await worker.ready;
    } catch {
      return [];
    }
    if (worker.dead) return this.typeCheck(code, stub, signal);
    const id = this.nextRunId++;
    return new Promise<TypeDiagnostic[]>((resolve) => {
      const run: ActiveRun = {
        id,
        awaitingHost: false,
        settled: false,
        settle: () => {
          run.settled = true;
          resolve([]);
        },
        onMessage: (message) => {
          if (message.type !== "checked" || message.id !== id) return;
          run.settled = true;
          resolve(message.diagnostics);
          this.release(worker);
        },
      };
      worker.run = run;
      setRef(worker, true);
      worker.child.send({ type: "check", id, code, stub } satisfies HostMessage);
    });
  }

  private dispatch(
    worker: Worker,
    request: RunRequest,
    host: PoolRunHost,
    signal: AbortSignal | undefined,
    resolve: (outcome: RunOutcome) => void,
  ): void {
    const id = this.nextRunId++;
    let graceTimer: NodeJS.Timeout | undefined;
    const send = (message: HostMessage) => {
      if (!worker.dead && worker.run === run) worker.child.send(message);
    };
    const onAbort = () => {
      if (run.settled || signal === undefined) return;
      const reason = abortOutcome(signal);
      if (run.awaitingHost) {
        // Paused at a tool call: the worker can drop the run and stay.
        run.settle(reason);
        send({ type: "cancel", id });
        return;
      }
      const isTimeout = !reason.ok && reason.error.type === "TimeoutError";
      if (!isTimeout) {
        run.settle(reason);
        this.kill(worker);
        return;
      }
      // Computing: Monty's own time limit fires about now and reports the line. Give it a moment.
      graceTimer = setTimeout(() => {
        if (!run.settled) {
          this.stats.timeouts += 1;
          run.settle(reason);
          this.kill(worker);
        }
      }, this.killGraceMs);
    };
    const run: ActiveRun = {
      id,
      awaitingHost: false,
      settled: false,
      settle: (outcome) => {
        if (run.settled) return;
        run.settled = true;
        clearTimeout(graceTimer);
        signal?.removeEventListener("abort", onAbort);
        resolve(outcome);
      },
      onMessage: (message) => {
        if (message.type === "call" && message.id === id) {
          for (const text of message.output) host.output(text);
          run.awaitingHost = true;
          void host.callTools(message.batch).then(
            (outcomes) => {
              run.awaitingHost = false;
              if (!run.settled) send({ type: "result", id, seq: message.seq, outcomes });
            },
            (error: unknown) => {
              run.awaitingHost = false;
              const failed: CallOutcome = {
                ok: false,
                type: "RuntimeError",
                message: errorText(error),
              };
              send({
                type: "result",
                id,
                seq: message.seq,
                outcomes: message.batch.calls.map(() => failed),
              });
            },
          );
        } else if (message.type === "done" && message.id === id) {
          if (!run.settled) for (const text of message.output) host.output(text);
          run.settle(message.outcome);
          worker.run = undefined;
          if (message.rssBytes > this.maxWorkerRssBytes) {
            this.stats.replaced += 1;
            this.kill(worker);
          } else {
            this.release(worker);
          }
        }
      },
    };
    worker.run = run;
    setRef(worker, true);
    signal?.addEventListener("abort", onAbort, { once: true });
    send({ type: "run", id, request });
  }

  private acquire(signal?: AbortSignal): Promise<Worker> {
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    if (this.all.size < this.size) return Promise.resolve(this.spawn());
    return new Promise<Worker>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (w) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(w);
        },
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private release(worker: Worker): void {
    worker.run = undefined;
    if (worker.dead) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(worker);
      return;
    }
    setRef(worker, false);
    this.idle.push(worker);
  }

  private spawn(): Worker {
    this.stats.spawned += 1;
    const child = fork(workerScript.path, [], {
      env: this.env ?? workerEnv(process.env),
      execArgv: workerScript.execArgv,
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let onReady: () => void = () => undefined;
    let onFail: (error: Error) => void = () => undefined;
    const worker: Worker = {
      child,
      stderrTail: "",
      dead: false,
      ready: new Promise<void>((resolve, reject) => {
        onReady = resolve;
        onFail = reject;
      }),
    };
    worker.ready.catch(() => undefined);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      worker.stderrTail = (worker.stderrTail + chunk).slice(-2000);
    });
    child.on("message", (message: WorkerMessage) => {
      if (message.type === "ready") onReady();
      else worker.run?.onMessage(message);
    });
    child.on("error", () => undefined);
    child.on("exit", (code, signal) => {
      onFail(new Error("worker exited before it was ready"));
      this.onExit(worker, code, signal);
    });
    // Referenced until it is released to the idle list: a run awaiting `ready` must keep
    // the host alive, or a script would exit mid-start with code 13.
    this.all.add(worker);
    return worker;
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    worker.dead = true;
    this.all.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    const run = worker.run;
    worker.run = undefined;
    if (run && !run.settled) {
      this.stats.crashes += 1;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = worker.stderrTail.trim().split("\n").slice(-3).join(" | ");
      run.settle(
        fail(
          "SandboxCrashError",
          `the sandbox process ${how} while running the program${tail ? ` (${tail})` : ""}. ` +
            "The host is unaffected and the next run gets a fresh process; if the program builds very deep nesting or huge values, simplify it.",
        ),
      );
    }
    // Keep the pool at strength for queued runs; idle capacity is refilled on demand.
    if (!this.closed && this.waiters.length > 0) this.release(this.spawn());
  }

  private kill(worker: Worker): void {
    if (!worker.dead) worker.child.kill("SIGKILL");
  }

  /** Stops every worker. Runs still going end with `SandboxError`. */
  async close(): Promise<void> {
    this.closed = true;
    const exits = [...this.all].map(
      (w) =>
        new Promise<void>((resolve) =>
          w.dead ? resolve() : w.child.once("exit", () => resolve()),
        ),
    );
    for (const worker of this.all) {
      worker.run?.settle(fail("SandboxError", "the sandbox pool was closed during the run"));
      // Idle workers are unref'd; hold the event loop until their exit is seen.
      setRef(worker, true);
      this.kill(worker);
    }
    await Promise.all(exits);
  }
}

// Variables a Node worker may need; everything else (keys, tokens, passwords) stays behind.
const WORKER_ENV =
  /^(PATH|HOME|USER|LANG|LANGUAGE|TZ|TMPDIR|TMP|TEMP|SYSTEMROOT|WINDIR|COMSPEC|PATHEXT|LC_\w+|NODE_(OPTIONS|PATH|ENV|V8_COVERAGE|DEBUG|NO_WARNINGS|EXTRA_CA_CERTS)|TSX_\w+)$/i;

/** The host's environment minus anything a sandbox worker has no use for. */
function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (WORKER_ENV.test(key)) out[key] = value;
  return out;
}

/** While a worker is idle it must not keep the host process alive. */
function setRef(worker: Worker, ref: boolean): void {
  // The IPC channel and the stderr pipe are handles of their own: each keeps the loop alive.
  const channel = worker.child.channel as { ref?(): void; unref?(): void } | undefined;
  const stderr = worker.child.stderr as { ref?(): void; unref?(): void } | null;
  if (ref) {
    worker.child.ref();
    channel?.ref?.();
    stderr?.ref?.();
  } else {
    worker.child.unref();
    channel?.unref?.();
    stderr?.unref?.();
  }
}

function fail(type: ExecutionErrorType, message: string): RunOutcome {
  return { ok: false, error: { type, message } };
}

/**
 * The outcome for an aborted signal: `TimeoutError` when a clock ran out (with `limit` when
 * it was the run's own, whose reason names it), else cancelled.
 */
export function abortOutcome(signal: AbortSignal): RunOutcome {
  const reason = signal.reason as { name?: string; message?: string; limit?: unknown } | undefined;
  if (reason?.name === "TimeoutError") {
    const outcome = fail("TimeoutError", reason.message ?? "the run took too long");
    if (reason.limit === "timeoutMs" && !outcome.ok) outcome.error.limit = "timeoutMs";
    return outcome;
  }
  return fail("CancelledError", "the run was cancelled (its AbortSignal fired)");
}

let defaultPool: SandboxPool | undefined;

/** The pool `execute()` uses unless given one. Created on first use. */
export function defaultSandboxPool(): SandboxPool {
  defaultPool ??= new SandboxPool();
  return defaultPool;
}

/** Stops the default pool's workers (they are unref'd, so this is only needed for a clean exit in tests). */
export async function closeDefaultSandboxPool(): Promise<void> {
  const pool = defaultPool;
  defaultPool = undefined;
  await pool?.close();
}
