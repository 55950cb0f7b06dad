/**
 * A schema as every reader downstream wants it: a deep, frozen copy holding only JSON,
 * without `$schema` keys. A schema that is not JSON (a cycle, a function, a class
 * instance) is refused at definition time with where it went wrong.
 */
import { defineEntry } from "../../define-entry.js";
import { ToolDefinitionError } from "../../errors.js";
import { isPlainObject } from "../../plain-object.js";
import type { JsonSchema } from "../types.js";

/**
 * A deep, frozen copy with `$schema` removed at every level (it is noise to every reader
 * downstream). Rejects values that are not JSON: cycles, functions, class instances.
 */
export function cleanJsonSchema(raw: unknown, label: string): JsonSchema {
  if (raw === true) return Object.freeze({});
  if (!isPlainObject(raw)) {
    throw new ToolDefinitionError(
      `${label}: expected the JSON Schema to be an object, got ${describeKind(raw)}.`,
    );
  }
  const copy = (value: unknown, depth: number, path: string): unknown => {
    if (depth > 100) {
      throw new ToolDefinitionError(`${label}: JSON Schema is nested too deeply (or cyclic).`);
    }
    if (Array.isArray(value)) return value.map((v, i) => copy(v, depth + 1, `${path}[${i}]`));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === "$schema" || v === undefined) continue;
        let item: unknown;
        try {
          item = copy(v, depth + 1, `${path}.${k}`);
        } catch (error) {
          // A default that is not JSON (e.g. a Date from a Zod default) is dropped: the
          // schema's own validator still applies it.
          if (k === "default") continue;
          throw error;
        }
        defineEntry(out, k, item);
      }
      return out;
    }
    if (
      value === null ||
      typeof value === "string" ||
      typeof value === "number" ||
      typeof value === "boolean"
    ) {
      return value;
    }
    throw new ToolDefinitionError(
      `${label}: JSON Schema contains ${describeKind(value)} at ${path || "the top"}; ` +
        "a JSON Schema may only hold JSON values.",
    );
  };
  return freezeDeep(copy(raw, 0, "") as JsonSchema);
}

export function freezeDeep<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freezeDeep(v);
  }
  return value;
}

/** `an array`, `a Date instance`, `a function`: what a value is, for messages. */
export function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = (value as object).constructor?.name;
    return name && name !== "Object" ? `a ${name} instance` : "an object";
  }
  return typeof value === "function" ? "a function" : `a ${typeof value}`;
}
