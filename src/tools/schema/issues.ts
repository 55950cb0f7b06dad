/**
 * What a Zod or other Standard Schema validator reports, worded like the JSON Schema
 * validator words its own issues ("expected int, got str", "missing required key 'id'"),
 * so a program sees one style of TypeError whichever library described the tool.
 */
import type { z } from "zod";
import { errorText } from "../../error-text.js";
import { pythonLiteral, pythonTypeHint, pythonTypeName } from "../python/type-hints.js";
import type { JsonSchema } from "../types.js";
import type { SchemaCheck } from "./compile.js";
import { schemaAt } from "./refs.js";
import { type SchemaIssue, shownValue } from "./validate.js";

/** Words a Zod issue like the JSON Schema validator does: "expected int, got str". */
export function zodIssue(issue: z.core.$ZodIssue, input: unknown, root: JsonSchema): SchemaIssue {
  const path = issue.path.map(pathSegment);
  const value = valueAt(input, path);
  const got = pythonTypeName(value);
  const expectedHint = () => {
    const sub = schemaAt(root, path);
    const hint = sub === undefined ? "Any" : pythonTypeHint(sub, root);
    if (hint !== "Any") return hint;
    const expected = String((issue as { expected?: unknown }).expected ?? "a different type");
    return ZOD_EXPECTED[expected] ?? expected;
  };
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined && path.length > 0) {
        return {
          path: path.slice(0, -1),
          message: `missing required key ${JSON.stringify(path[path.length - 1])}`,
        };
      }
      return { path, message: `expected ${expectedHint()}, got ${got}` };
    case "invalid_union":
      return { path, message: `expected ${expectedHint()}, got ${got}` };
    case "invalid_value":
      return {
        path,
        message:
          issue.values.length === 1
            ? `expected ${pythonLiteral(issue.values[0]) ?? "a constant"}, got ${shownValue(value)}`
            : `expected one of ${issue.values.map((v) => pythonLiteral(v) ?? "?").join(", ")}, ` +
              `got ${shownValue(value)}`,
      };
    case "too_small":
    case "too_big":
      return { path, message: sizeMessage(issue, value) ?? issue.message };
    case "not_multiple_of":
      return { path, message: `expected a multiple of ${issue.divisor}, got ${shownValue(value)}` };
    case "unrecognized_keys":
      return {
        path,
        message: `unexpected key${issue.keys.length === 1 ? "" : "s"} ${issue.keys
          .map((k) => JSON.stringify(k))
          .join(", ")}`,
      };
    case "invalid_format": {
      const pattern = (issue as { pattern?: unknown }).pattern;
      if (issue.format === "regex" && typeof pattern === "string") {
        // Zod gives the pattern as a regex literal ("/^a/") already.
        const literal = /^\/.*\/[a-z]*$/s.test(pattern) ? pattern : `/${pattern}/`;
        return { path, message: `expected a string matching ${literal}, got ${shownValue(value)}` };
      }
      if (["starts_with", "ends_with", "includes"].includes(issue.format)) {
        return { path, message: lowerFirst(issue.message) };
      }
      return {
        path,
        message: `expected a string in ${issue.format} format, got ${shownValue(value)}`,
      };
    }
    default:
      return { path, message: lowerFirst(issue.message) };
  }
}

const ZOD_EXPECTED: Readonly<Record<string, string>> = {
  string: "str",
  number: "float",
  int: "int",
  bigint: "int",
  boolean: "bool",
  null: "None",
  array: "list",
  object: "dict",
  record: "dict",
  map: "dict",
  set: "set",
  tuple: "list",
};

function sizeMessage(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  value: unknown,
): string | undefined {
  const small = issue.code === "too_small";
  const bound = small
    ? (issue as z.core.$ZodIssueTooSmall).minimum
    : (issue as z.core.$ZodIssueTooBig).maximum;
  const unit =
    issue.origin === "string"
      ? "character"
      : issue.origin === "array" || issue.origin === "set"
        ? "item"
        : undefined;
  if (unit) {
    const size =
      typeof value === "string" ? [...value].length : Array.isArray(value) ? value.length : "?";
    const n = Number(bound);
    const amount = `${n} ${unit}${n === 1 ? "" : "s"}`;
    const which = issue.exact ? "exactly" : small ? "at least" : "at most";
    return `expected ${which} ${amount}, got ${size}`;
  }
  if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") {
    const op = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
    return `expected a value ${op} ${String(bound)}, got ${shownValue(value)}`;
  }
  return undefined;
}

export function standardIssue(issue: unknown): SchemaIssue {
  const { message, path } = (issue ?? {}) as { message?: unknown; path?: unknown };
  const segments = Array.isArray(path)
    ? path.map((p: unknown) =>
        pathSegment(
          typeof p === "object" && p !== null && "key" in p ? (p as { key: unknown }).key : p,
        ),
      )
    : [];
  return {
    path: segments,
    message: lowerFirst(typeof message === "string" ? message : "invalid value"),
  };
}

export function thrown(error: unknown): SchemaCheck {
  return {
    ok: false,
    issues: [{ path: [], message: `the schema's validator threw: ${errorText(error)}` }],
  };
}

function pathSegment(segment: unknown): string | number {
  return typeof segment === "number" ? segment : String(segment);
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = value instanceof Map ? value.get(key) : (value as Record<string, unknown>)[key];
  }
  return value;
}

function lowerFirst(text: string): string {
  return text.length > 1 && /^[A-Z][a-z]/.test(text)
    ? text[0]!.toLowerCase() + text.slice(1)
    : text;
}
