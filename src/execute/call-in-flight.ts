/**
 * A tool call while its `execute` runs: the signal the tool gets, its deadline
 * (`toolTimeoutMs`), and the host's wait for the result, which an abort or the deadline
 * ends even when the tool ignores its signal.
 */
import { clampTimerMs } from "../timer.js";
import type { ToolContext } from "../tools/types.js";

export class CallInFlight {
  private controller: AbortController | undefined;
  private reason: unknown;
  private aborted = false;
  private stopWaiting: ((reason: unknown) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline passed (rather than the run ending) while the tool ran. */
  timedOut = false;

  /** Starts the call's deadline; `Infinity` sets none. */
  constructor(
    readonly toolName: string,
    readonly timeoutMs: number,
  ) {
    if (Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        const reason = new Error(toolTimeoutMessage(toolName, timeoutMs));
        reason.name = "TimeoutError";
        this.abort(reason);
      }, clampTimerMs(timeoutMs));
    }
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.stopWaiting?.(reason);
  }

  /** Stops the deadline once the call is over, however it ended. */
  settle(): void {
    clearTimeout(this.timer);
  }

  context(callSeq: number): ToolContext {
    return new CallContext(this, callSeq);
  }

  /** The tool's signal, made on first read: a tool that never reads it costs no controller. */
  signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  wait<T>(run: () => T | Promise<T>): Promise<T> {
    if (this.aborted) return Promise.reject(this.reason);
    return new Promise<T>((resolve, reject) => {
      this.stopWaiting = reject;
      // Not `resolve(run())`: resolving with a pending promise locks this one to it, and
      // an abort could no longer end the wait.
      let result: T | Promise<T>;
      try {
        result = run();
      } catch (error) {
        reject(error);
        return;
      }
      Promise.resolve(result).then(resolve, reject);
    });
  }
}

/** What a tool's `execute` receives; a class so the lazy `signal` getter is on the prototype. */
class CallContext implements ToolContext {
  constructor(
    private readonly flight: CallInFlight,
    readonly callSeq: number,
  ) {}

  get signal(): AbortSignal {
    return this.flight.signal();
  }
}

export function toolTimeoutMessage(name: string, timeoutMs: number): string {
  return (
    `${name}() did not finish within ${timeoutMs} ms (limit toolTimeoutMs; raise it with ` +
    `execute(code, { limits: { toolTimeoutMs: ... } }), or for this tool alone with ` +
    `defineTool({ timeoutMs: ... }))`
  );
}
