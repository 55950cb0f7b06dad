/**
 * Loads a tools module for the command line: a `.ts`, `.mts` or `.js` file whose default
 * export or `tools` export is an array or record of tools. TypeScript loads through tsx
 * (`importUserModule`, the one loader, shared with eval's tasks modules), so no build step
 * is needed.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import { importUserModule } from "../eval/load-module.js";
import type { ToolSetInput } from "../tools/define/tool-set.js";

export interface ToolsModule {
  tools: ToolSetInput;
  /** Suggested prompts, when the module exports `nudges`. */
  nudges?: string[];
  /** Skills (context text), when the module exports `skills`. */
  skills?: string[];
}

export async function loadToolsModule(path: string): Promise<ToolsModule> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new InvalidOptionsError(
      `Tools file not found: ${file}. Pass --tools ./path/to/tools.ts.`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(file);
  } catch (error) {
    throw new InvalidOptionsError(`Could not load tools file ${file}: ${errorText(error)}`, {
      cause: error,
    });
  }
  const tools = mod.tools ?? unwrapDefault(mod.default);
  if (!tools || typeof tools !== "object") {
    throw new InvalidOptionsError(
      `${file} must export its tools: \`export const tools = [...]\` or \`export default { name: tool }\`.`,
    );
  }
  const result: ToolsModule = { tools: tools as ToolSetInput };
  if (isStringArray(mod.nudges)) result.nudges = mod.nudges;
  if (isStringArray(mod.skills)) result.skills = mod.skills;
  return result;
}

/** tsx can wrap a module's exports one level deeper under `default`. */
function unwrapDefault(value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value) && "tools" in value) {
    return (value as { tools: unknown }).tools;
  }
  return value;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
