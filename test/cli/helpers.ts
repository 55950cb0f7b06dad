/** Runs the built `codemode` command line as a real child process (after `npm run build`). */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const CLI = join(import.meta.dirname, "../../dist/cli/main.js");

/** The example data tools, as `--tools` takes them. */
export const EXAMPLE_TOOLS = join(import.meta.dirname, "../../examples/data-tools/tools.ts");

/** `codemode run` over the example tools with a 3-turn replayed model: no key, no network. */
export const REPLAYED_RUN = [
  "run",
  "Which department pays the most?",
  "--tools",
  EXAMPLE_TOOLS,
  "--model",
  `replay:${join(import.meta.dirname, "../../examples/replays/explore-then-answer.jsonl")}`,
];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Keys a developer's shell may hold that would change what a test's command does. */
const AMBIENT = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEMODE_MODEL"];

/** This process's environment without the ambient model keys and model. */
export function withoutAmbientKeys(): Record<string, string | undefined> {
  const clean: Record<string, string | undefined> = { ...process.env };
  for (const key of AMBIENT) delete clean[key];
  return clean;
}

/**
 * `codemode <args>` with no stdin, the ambient model keys and model removed from the
 * environment, then `env` added; resolves once it exits, with everything it printed.
 * `command` is how to start codemode: this checkout's build by default, or an installed
 * `node_modules/.bin/codemode`.
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd?: string,
  command: string[] = [process.execPath, CLI],
): Promise<CliRun> {
  const [program, ...before] = command;
  return new Promise((resolve) => {
    const child = spawn(program!, [...before, ...args], {
      env: { ...withoutAmbientKeys(), ...env },
      ...(cwd ? { cwd } : {}),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
