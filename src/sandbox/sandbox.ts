/**
 * One interface for where a program runs: `run` a request (start or resume) and
 * `typeCheck` a program. The process pool is one sandbox; `inProcessSandbox` is the other
 * (Monty in the host's own thread, for trusted code). `execute()` picks one with
 * `sandboxFor` and never branches on isolation again.
 */
import { abortOutcome, type PoolRunHost, type SandboxPool } from "./pool.js";
import type { RunOutcome, RunRequest } from "./protocol.js";
import { runProgram } from "./runner.js";
import { type TypeDiagnostic, typeCheckProgram } from "./type-check.js";

export interface Sandbox {
  /** Runs one program (or resumes one from its snapshot). Never rejects: failures are outcomes. */
  run(request: RunRequest, host: PoolRunHost, signal?: AbortSignal): Promise<RunOutcome>;
  /** The checker's diagnostics for `code` against the tools' stub (`[]`: it type-checks). */
  typeCheck(code: string, stub: string, signal?: AbortSignal): Promise<TypeDiagnostic[]>;
}

/**
 * Monty in the host's thread: no process boundary, so a native crash or a CPU-bound loop
 * the limits do not catch takes the host with it. The run's clock starts at once (nothing
 * queues); cancelling stops the program at its next tool-call boundary, reported as the
 * signal's reason like the pool does.
 */
export const inProcessSandbox: Sandbox = {
  async run(request, host, signal) {
    host.onDispatch?.();
    const outcome = await runProgram(request, {
      callTools: host.callTools,
      output: host.output,
      isCancelled: () => signal?.aborted === true,
    });
    if (signal?.aborted && !outcome.ok && outcome.error.type === "CancelledError") {
      return abortOutcome(signal);
    }
    return outcome;
  },
  typeCheck(code, stub) {
    return Promise.resolve(typeCheckProgram(code, stub));
  },
};

/** The sandbox an `isolation` and `pool` option pair names (the pool only for `"process"`). */
export function sandboxFor(
  isolation: "process" | "in-process" | undefined,
  pool: () => SandboxPool,
): Sandbox {
  return isolation === "in-process" ? inProcessSandbox : pool();
}
