import { CodeModeError } from "../errors.js";

/** A durable run could not be started or awaited (Restate unreachable, run failed, bad answer). */
export class DurableRunError extends CodeModeError {
  override readonly code: string = "DURABLE_RUN";
  /** HTTP status from Restate, when it answered. */
  readonly status?: number;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** A Restate server (admin API or ingress) did not answer as expected. */
export class RestateUnavailableError extends CodeModeError {
  override readonly code: string = "RESTATE_UNAVAILABLE";
}
