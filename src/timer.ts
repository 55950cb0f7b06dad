/**
 * The longest delay `setTimeout` takes: past 2^31-1 ms Node fires the timer at once (with
 * a warning), so every timer in codemode goes through here. Imports nothing, so every
 * layer may use it.
 */

/** 2^31-1 ms (about 24.8 days): the longest timer Node keeps; that long means "never". */
export const MAX_TIMER_MS = 2_147_483_647;

/** `ms` as a `setTimeout` delay: longer than Node keeps is "as long as Node keeps". */
export function clampTimerMs(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}

/** True when `ms` is a delay a timer can wait out (finite and within Node's longest). */
export function isTimerDelay(ms: number): boolean {
  return Number.isFinite(ms) && ms <= MAX_TIMER_MS;
}
