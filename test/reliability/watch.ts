/**
 * What every reliability test checks at the end: no promise rejected without a handler,
 * and no sandbox worker process outlived its pool.
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Collects unhandled rejections while installed; `stop()` removes the listener. */
export function watchUnhandledRejections(): { reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown) => {
    reasons.push(reason);
  };
  process.on("unhandledRejection", listener);
  return { reasons, stop: () => process.off("unhandledRejection", listener) };
}

/** True while a process with this id exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Waits until none of `pids` is alive, or `timeoutMs` passes; returns the ones still alive. */
export async function waitForExit(pids: Iterable<number>, timeoutMs = 3000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = [...pids].filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    alive = alive.filter(isAlive);
  }
  return alive;
}

let gcFunction: (() => void) | undefined;

/**
 * A full garbage collection, also when node was started without `--expose-gc`: the flag
 * can be set at run time, and a fresh context then sees the `gc` global.
 */
export function collectGarbage(): void {
  if (!gcFunction) {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as () => void;
  }
  gcFunction();
  gcFunction();
}

export interface MemorySample {
  heapUsedMB: number;
  rssMB: number;
}

/**
 * Memory after a full collection, in MB (one decimal). Native objects (Monty's paused
 * runs) are freed by finalizers that run after the collection, so it collects twice
 * with a pause between.
 */
export async function memoryAfterGc(): Promise<MemorySample> {
  collectGarbage();
  await sleep(50);
  collectGarbage();
  const { heapUsed, rss } = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  return { heapUsedMB: mb(heapUsed), rssMB: mb(rss) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
