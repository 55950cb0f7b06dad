/**
 * The packages a module loads when imported in a fresh Node process (through tsx, from
 * src/), recorded by a resolve hook: what a user pays for `import "codemode/<entry>"`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const recorder = fileURLToPath(new URL("../mcp/fixtures/record-imports.mjs", import.meta.url));

/** `entry` is a path from the repository root, e.g. `./src/mcp/index.ts`. */
export function packagesLoadedBy(entry: string): string[] {
  const child = spawnSync(
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
    { cwd: root, encoding: "utf8", timeout: 60_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  return [...child.stderr.matchAll(/^loaded (\S+)$/gm)].map((m) => m[1]!);
}
