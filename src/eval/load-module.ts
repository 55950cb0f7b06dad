/**
 * Imports a user's `.ts`, `.mts` or `.js` module (a tasks module, a checkers module).
 * TypeScript loads through tsx, imported only when a `.ts` file is asked for, so no build
 * step is needed and plain JavaScript pays nothing for it.
 */
import { pathToFileURL } from "node:url";

export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (/\.(c|m)?tsx?$/.test(file)) {
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/**
 * An export of a module loaded by tsx or Node: tsx can put a module's named exports one
 * level deeper, under `default`.
 */
export function moduleExport(mod: Record<string, unknown>, name: string): unknown {
  if (name in mod) return mod[name];
  const inner = mod.default;
  if (inner && typeof inner === "object" && name in inner) {
    return (inner as Record<string, unknown>)[name];
  }
  return undefined;
}
