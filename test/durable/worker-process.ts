/** Runs `fixtures/worker.ts` (or the CLI) as a child process that a test can SIGKILL. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./restate-harness.js";

export const FIXTURE_WORKER = join(import.meta.dirname, "fixtures/worker.ts");
export const CLI = join(import.meta.dirname, "../../dist/cli/main.js");

export interface WorkerProcess {
  port: number;
  pid: number;
  url: string;
  output(): string;
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Starts a worker and resolves once it prints its `{"ready": port}` line (the fixture) or
 * `listening on` (the CLI).
 */
export async function startWorker(
  args: string[],
  env: Record<string, string>,
  readyLine: RegExp = /"ready":(\d+)|listening on http:\/\/[^:]+:(\d+)/,
  timeoutMs = 30_000,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      live.delete(child);
      resolve();
    });
  });
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = readyLine.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1] ?? match[2]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it was ready:\n${out}`));
    });
  });
  let port: number;
  try {
    port = await ready;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    port,
    pid: child.pid ?? 0,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export function fixtureWorker(env: Record<string, string>): Promise<WorkerProcess> {
  return startWorker(["--import", "tsx", FIXTURE_WORKER], env);
}

/** Resolves when `file` exists. */
export async function waitForFile(file: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Lines of a count file (`[]` when it does not exist). */
export function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean);
}
