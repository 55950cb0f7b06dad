/**
 * Python call semantics for tool calls: positional and keyword arguments from the sandbox
 * mapped onto the tool's parameters, with the errors CPython would raise. The model knows
 * these messages, so "missing 1 required argument: 'dataset'" gets fixed on the next try.
 */

import { defineEntry } from "../../define-entry.js";
import { ToolArgumentError } from "../../errors.js";
import { isPlainObject } from "../../plain-object.js";
import { keywordOnlyStart } from "../define/parameters.js";
import { pythonTypeName } from "../python/type-hints.js";
import type { Tool, ToolParameter } from "../types.js";

/**
 * The argument object for `tool.validate`, keyed by parameter name. Defaults are not
 * applied here (validate does that). Throws ToolArgumentError, never anything else.
 */
export function bindArguments(
  tool: Pick<Tool, "name" | "parameters">,
  args: unknown,
  kwargs: unknown,
): Record<string, unknown> {
  const fn = `${tool.name}()`;
  const positional = readPositional(fn, args);
  const keywords = readKeywords(fn, kwargs);
  const params = tool.parameters;
  const kwOnly = keywordOnlyStart(params);
  const variadic = params.find((p) => p.variadic);
  const positionalParams = params.slice(0, variadic ? params.indexOf(variadic) : kwOnly);

  const bound: Record<string, unknown> = {};
  if (positional.length > positionalParams.length && !variadic) {
    const n = positionalParams.length;
    const given = positional.length;
    throw new ToolArgumentError(
      `${fn} takes ${n} positional argument${n === 1 ? "" : "s"} but ${given} ` +
        `${given === 1 ? "was" : "were"} given`,
    );
  }
  positionalParams.forEach((p, i) => {
    if (i < positional.length) defineEntry(bound, p.name, positional[i]);
  });
  if (variadic) defineEntry(bound, variadic.name, positional.slice(positionalParams.length));

  const byName = new Map<string, ToolParameter>(params.map((p) => [p.name, p]));
  for (const [key, value] of keywords) {
    const p = byName.get(key);
    if (!p || p.variadic) {
      const names = params.filter((q) => !q.variadic).map((q) => q.name);
      const hint = names.length > 0 ? `parameters: ${names.join(", ")}` : "it takes no arguments";
      throw new ToolArgumentError(`${fn} got an unexpected keyword argument '${key}' (${hint})`);
    }
    if (Object.hasOwn(bound, key)) {
      throw new ToolArgumentError(`${fn} got multiple values for argument '${key}'`);
    }
    defineEntry(bound, key, value);
  }

  const missing = params.filter((p) => p.required && !p.variadic && !Object.hasOwn(bound, p.name));
  if (missing.length > 0) {
    const n = missing.length;
    throw new ToolArgumentError(
      `${fn} missing ${n} required argument${n === 1 ? "" : "s"}: ${quotedList(missing.map((p) => p.name))}`,
    );
  }
  return bound;
}

function readPositional(fn: string, args: unknown): readonly unknown[] {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args;
  throw new ToolArgumentError(
    `${fn} received malformed positional arguments (${pythonTypeName(args)} instead of a list)`,
  );
}

function readKeywords(fn: string, kwargs: unknown): [string, unknown][] {
  if (kwargs === undefined) return [];
  if (kwargs instanceof Map) {
    const entries = [...kwargs.entries()];
    if (entries.every(([k]) => typeof k === "string")) return entries as [string, unknown][];
  } else if (isPlainObject(kwargs)) {
    return Object.entries(kwargs);
  }
  throw new ToolArgumentError(
    `${fn} received malformed keyword arguments (${pythonTypeName(kwargs)} instead of a dict)`,
  );
}

/** `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'` — as CPython lists missing arguments. */
function quotedList(names: readonly string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  if (quoted.length <= 2) return quoted.join(" and ");
  return `${quoted.slice(0, -1).join(", ")}, and ${quoted[quoted.length - 1]}`;
}
