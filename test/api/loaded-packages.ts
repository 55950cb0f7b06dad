/**
 * The packages a module loads when imported in a fresh Node process (through tsx, from
 * src/), recorded by a resolve hook: what a user pays for `import "codemode/<entry>"`.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const recorder = fileURLToPath(new URL("../mcp/fixtures/record-imports.mjs", import.meta.url));

/**
 * `entry` is a path from the repository root, e.g. `./src/mcp/index.ts`. Asynchronous, so
 * a test can start several at once: each pays tsx's start-up, slow on a loaded machine.
 */
export async function packagesLoadedBy(entry: string): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      recorder,
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(entry)});`,
    ],
    { cwd: root, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(status, stderr).toBe(0);
  return [...stderr.matchAll(/^loaded (\S+)$/gm)].map((m) => m[1]!);
}
