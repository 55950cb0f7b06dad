/** Starting the fixture MCP servers (and `codemode mcp`) as real child processes. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const FIXTURES = join(import.meta.dirname, "fixtures");
export const CLI = join(import.meta.dirname, "../../dist/cli/main.js");

/** `mcpTools()` options that start fixture `name` over stdio. */
export function stdioFixture(name: string) {
  return { command: process.execPath, args: [join(FIXTURES, `${name}.mjs`)] };
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  close(): Promise<void>;
}

/**
 * Starts a process that prints the URL it listens on (on stdout for the fixtures, on
 * stderr for `codemode mcp --http`) and resolves once it has.
 */
export function startUrlServer(
  args: string[],
  options: { stream?: "stdout" | "stderr"; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  const stream = options.stream === "stderr" ? child.stderr! : child.stdout!;
  let seen = "";
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stream });
    lines.on("line", (line) => {
      seen += `${line}\n`;
      const match = /(http:\/\/\S+)/.exec(line);
      if (match) {
        resolve({ url: match[1]!, child, close: () => stop(child) });
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${seen}`)),
    );
  });
}

/** The HTTP fixture `name` in `--http` (Streamable HTTP) or `--sse` (legacy) mode. */
export function startHttpFixture(
  name: string,
  mode: "--http" | "--sse" = "--http",
  env: Record<string, string> = {},
): Promise<RunningServer> {
  return startUrlServer([join(FIXTURES, `${name}.mjs`), mode], { env });
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** True while a process with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}
