/**
 * The Chromium the browser tests drive, shared by them and by the run's reporter
 * (./skipped-reporter.ts). Without it the browser tests skip, and the run ends with one
 * line saying so; under CI (`CI=true`) a missing Chromium fails the run instead, so a CI
 * that lost its browser does not pass with the browser untested.
 */
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/** How to get one, in the words of every message about it. */
export const GET_CHROMIUM = `Install it (apt-get install chromium; .ci/run does) or set CHROMIUM=/path/to/chromium.`;

/** `CI=true` (or `1`), as CI services set it. */
export const inCi = process.env.CI === "true" || process.env.CI === "1";

/** Called at the top of a browser test file: throws under CI when there is no Chromium. */
export function requireChromiumInCi(): void {
  if (!hasChromium && inCi) {
    throw new Error(
      `CI=${process.env.CI} and there is no Chromium at ${CHROMIUM}: the browser tests may not be skipped in CI. ${GET_CHROMIUM}`,
    );
  }
}
