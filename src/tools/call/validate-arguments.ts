/**
 * The `validate` every tool gets: prepare the bound arguments the way the Python signature
 * promised (defaults filled in, `None` for "not given"), run the schema's validator, and
 * turn its issues into one message that names the argument. The message is raised into
 * the generated code as a TypeError, so it is written for the model to act on.
 */

import { defineEntry } from "../../define-entry.js";
import { errorText } from "../../error-text.js";
import { isPlainObject } from "../../plain-object.js";
import { pythonTypeName } from "../python/type-hints.js";
import type { CompiledSchema, SchemaCheck, SchemaIssue } from "../schema/compile.js";
import { validateJsonSchema } from "../schema/validate.js";
import type { ToolParameter, ValidationResult } from "../types.js";

type Validate = (input: Record<string, unknown>) => ValidationResult | Promise<ValidationResult>;

/** Builds a tool's `validate` from its parameters and compiled input schema. Never throws. */
export function createValidator(
  parameters: readonly ToolParameter[],
  schema: CompiledSchema,
): Validate {
  // Parameters whose signature reads `x: T | None = None` although the schema has no null:
  // a `None` from Python there means "not given".
  const noneMeansMissing = new Set(
    parameters
      .filter(
        (p) =>
          !p.required &&
          !p.hasDefault &&
          validateJsonSchema(p.schema, null, schema.jsonSchema).length > 0,
      )
      .map((p) => p.name),
  );
  return (input) => {
    try {
      if (!isPlainObject(input)) {
        return { ok: false, message: `arguments: expected dict, got ${pythonTypeName(input)}` };
      }
      const prepared = prepareArguments(
        input,
        parameters,
        noneMeansMissing,
        !schema.appliesDefaults,
      );
      const result = schema.check(prepared);
      return result instanceof Promise
        ? result.then(toValidationResult, (e: unknown) => failure(e))
        : toValidationResult(result);
    } catch (error) {
      return failure(error);
    }
  };
}

function prepareArguments(
  input: Record<string, unknown>,
  parameters: readonly ToolParameter[],
  noneMeansMissing: ReadonlySet<string>,
  fillDefaults: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || (value === null && noneMeansMissing.has(key))) continue;
    defineEntry(out, key, value);
  }
  // Zod and friends apply their own defaults (which may be richer than the JSON copy,
  // e.g. a Date); only plain JSON Schema needs them filled in here.
  if (!fillDefaults) return out;
  for (const p of parameters) {
    if (p.hasDefault && !Object.hasOwn(out, p.name))
      defineEntry(out, p.name, cloneValue(p.defaultValue));
  }
  return out;
}

function toValidationResult(result: SchemaCheck): ValidationResult {
  if (!result.ok) return { ok: false, message: formatIssues(result.issues) };
  if (!isPlainObject(result.value)) {
    return { ok: false, message: "arguments: the schema did not produce a dict of arguments" };
  }
  return { ok: true, value: result.value };
}

const MAX_REPORTED = 3;

/**
 * `argument 'limit': expected int, got str`, several joined by "; ". Nested places read
 * like Python subscripts: `argument 'filters[0]["name"]'`.
 */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  if (issues.length === 0) return "arguments are invalid";
  const shown = issues.slice(0, MAX_REPORTED).map(formatIssue);
  const unique = [...new Set(shown)];
  const more = issues.length - MAX_REPORTED;
  if (more > 0) unique.push(`and ${more} more problem${more === 1 ? "" : "s"}`);
  return unique.join("; ");
}

function formatIssue(issue: SchemaIssue): string {
  const [first, ...rest] = issue.path;
  if (first === undefined) {
    // Issues on the argument object itself are about arguments, not dict keys.
    const missing = /^missing required key "(.*)"$/.exec(issue.message);
    if (missing) return `missing required argument '${missing[1]}'`;
    const unexpected = /^unexpected key "(.*)"$/.exec(issue.message);
    if (unexpected) return `unexpected keyword argument '${unexpected[1]}'`;
    return `arguments: ${issue.message}`;
  }
  const place = `${first}${rest.map((k) => (typeof k === "number" ? `[${k}]` : `[${JSON.stringify(k)}]`)).join("")}`;
  return `argument '${place}': ${issue.message}`;
}

function failure(error: unknown): ValidationResult {
  const text = errorText(error);
  return { ok: false, message: `arguments could not be validated: ${text}` };
}

// Defaults are copied per call so a tool that mutates its input cannot change them.
function cloneValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
