/** Small pieces every command shares: option parsers and waiting for a stop signal. */
import { InvalidOptionsError } from "../errors.js";

/** Commander collector for a repeatable option (`--skill a --skill b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses a count or a duration given on the command line; `flag` names it in the error. */
export function wholeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidOptionsError(`${flag} must be a whole number >= 0 (got "${text}").`);
  }
  return n;
}

/** Resolves on the first SIGINT or SIGTERM (a long-running command's cue to shut down). */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
