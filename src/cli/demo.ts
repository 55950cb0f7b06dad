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

/**
 * The tools file and model a command runs with. `--demo` brings the example tools and,
 * unless `--model` names a real model, the recorded replies (`$CODEMODE_MODEL` does not
 * apply: the demo is offline by default).
 */
export function demoOptions<T extends { demo?: boolean; tools?: string; model?: string }>(
  options: T,
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
    model: options.model ?? `replay:${PACKAGE_ROOT}${DEMO_REPLAY}`,
  };
}
