/**
 * The offline demo shipped inside the package: the example data tools and one recorded
 * conversation about them. `--demo` finds them next to this file, so `npx codemode chat
 * --demo` works from a clone and from an install alike.
 */
import { fileURLToPath } from "node:url";
import { InvalidOptionsError } from "../errors.js";
import { DEMO_REPLAY, DEMO_TOOLS } from "../server/model-setup.js";

/** The package's root: this file is `src/cli/demo.ts` or `dist/cli/demo.js`. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The recorded replies `codemode eval --demo` plays back, for the example tasks. */
export const DEMO_EVAL_REPLAY = "examples/replays/eval-data-tools.jsonl";

/** The example tasks `codemode eval --demo` runs. */
export const DEMO_EVAL_TASKS = "examples/data-tools/tasks.jsonl";

/** A file shipped in the package, by its path from the package root. */
export function packageFile(path: string): string {
  return `${PACKAGE_ROOT}${path}`;
}

/**
 * The tools file and model a command runs with. `--demo` brings the example tools and,
 * unless `--model` names a real model, the recorded replies (`replay`, by default the
 * chat demo's; `$CODEMODE_MODEL` does not apply: the demo is offline by default).
 */
export function demoOptions<T extends { demo?: boolean; tools?: string; model?: string }>(
  options: T,
  replay: string = DEMO_REPLAY,
): T {
  if (!options.demo) return options;
  if (options.tools !== undefined) {
    throw new InvalidOptionsError(
      "--demo brings its own tools (the example data tools); drop --tools, or drop --demo.",
    );
  }
  return {
    ...options,
    tools: `${PACKAGE_ROOT}${DEMO_TOOLS}`,
    model: options.model ?? `replay:${PACKAGE_ROOT}${replay}`,
  };
}
