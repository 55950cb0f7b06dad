/**
 * A small JSON Schema validator for tools described by a plain JSON Schema (MCP tools,
 * hand-written schemas). It covers the keywords tool schemas actually use and words its
 * failures for a Python programmer ("expected int, got str"), since the message is raised
 * into the generated code as a TypeError. Keywords it does not know are accepted, never
 * rejected: a validator stricter than the tool would block valid calls.
 */
import { isPlainObject, isRecord } from "../../plain-object.js";
import { pythonLiteral, pythonTypeHint, pythonTypeName } from "../python/type-hints.js";
import type { JsonSchema } from "../types.js";
import { deref, resolveRef } from "./refs.js";

/** One failure: where (keys and indexes below the validated value) and what was wrong. */
export interface SchemaIssue {
  path: readonly (string | number)[];
  message: string;
}

/**
 * Every issue of `value` against `schema`, in document order; empty when valid. Local
 * `$ref`s are followed through `root` (the whole document `schema` is part of; `schema`
 * itself by default), so a recursive schema is checked at every level; a reference that
 * does not resolve accepts any value.
 */
export function validateJsonSchema(
  schema: unknown,
  value: unknown,
  root: unknown = schema,
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(schema, value, { path: [], issues, depth: 0, walk: { root, active: new Map() } });
  return issues;
}

const MAX_DEPTH = 64;

/** The document references resolve in, and the references being followed at each path. */
interface Walk {
  root: unknown;
  /**
   * Reference targets entered and not yet left, with the paths they were entered at: a
   * target met again at the same path is a cycle that consumes no value (`A: {$ref: B}`,
   * `B: {anyOf: [{$ref: A}, ...]}`), and is not followed a second time.
   */
  active: Map<unknown, Set<string>>;
}

/**
 * Where a check stands: the path below the validated value, where its issues go (a union's
 * branch collects its own), how deep it is, and the walk. Every check takes one.
 */
interface At {
  path: (string | number)[];
  issues: SchemaIssue[];
  depth: number;
  walk: Walk;
}

/** One level down: into `key` of the value when given, else into a sub-schema of the same value. */
function below(at: At, key?: string | number): At {
  return { ...at, path: key === undefined ? at.path : [...at.path, key], depth: at.depth + 1 };
}

function check(schema: unknown, value: unknown, at: At): void {
  const fail = (message: string) => at.issues.push({ path: at.path, message });
  if (schema === false) {
    fail("no value is allowed here");
    return;
  }
  if (!isRecord(schema) || at.depth > MAX_DEPTH) return;
  if (typeof schema.$ref === "string") {
    checkRef(schema.$ref, value, at);
    return;
  }

  if ("const" in schema && !deepEqual(value, schema.const)) {
    fail(`expected ${pythonLiteral(schema.const) ?? "a constant"}, got ${shownValue(value)}`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(value, e))) {
    if (!(value === null && schema.nullable === true)) {
      const options = schema.enum.map((e) => pythonLiteral(e) ?? "?").join(", ");
      fail(`expected one of ${options}, got ${shownValue(value)}`);
      return;
    }
  }

  const branches = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : undefined;
  if (branches && !(value === null && schema.nullable === true)) {
    if (!checkUnion(schema, branches, value, at)) return;
  }
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) check(part, value, below(at));
  }

  const types = typeof schema.type === "string" ? [schema.type] : schema.type;
  if (Array.isArray(types)) {
    if (value === null && schema.nullable === true) return;
    if (!types.some((t) => typeof t === "string" && hasType(value, t))) {
      fail(`expected ${pythonTypeHint(schema, at.walk.root)}, got ${pythonTypeName(value)}`);
      return;
    }
  }

  if (typeof value === "string") checkString(schema, value, fail);
  else if (typeof value === "number" || typeof value === "bigint") checkNumber(schema, value, fail);
  else if (Array.isArray(value)) checkArray(schema, value, at);
  else if (isPlainObject(value)) checkObject(schema, value, at);
}

/** Checks `value` against the target of `ref`; an unresolved reference accepts anything. */
function checkRef(ref: string, value: unknown, at: At): void {
  const target = resolveRef(ref, at.walk.root);
  if (target === undefined) return;
  const where = JSON.stringify(at.path);
  let paths = at.walk.active.get(target);
  if (paths?.has(where)) return;
  if (!paths) {
    paths = new Set();
    at.walk.active.set(target, paths);
  }
  paths.add(where);
  try {
    check(target, value, below(at));
  } finally {
    paths.delete(where);
  }
}

/** True when some branch accepts the value; otherwise records the most useful issues. */
function checkUnion(
  schema: JsonSchema,
  branches: readonly unknown[],
  value: unknown,
  at: At,
): boolean {
  let closest: SchemaIssue[] | undefined;
  let closestCount = 0;
  for (const branch of branches) {
    const branchIssues: SchemaIssue[] = [];
    check(branch, value, { ...below(at), issues: branchIssues });
    if (branchIssues.length === 0) return true;
    // A branch whose type fits says more ("missing key 'x'") than the whole union does.
    if (shallowTypeFits(deref(branch, at.walk.root), value)) {
      closestCount++;
      closest ??= branchIssues;
    }
  }
  if (closest && closestCount === 1) at.issues.push(...closest);
  else
    at.issues.push({
      path: at.path,
      message: `expected ${pythonTypeHint(schema, at.walk.root)}, got ${pythonTypeName(value)}`,
    });
  return false;
}

function checkString(schema: JsonSchema, value: string, fail: (m: string) => void): void {
  const length = [...value].length;
  if (typeof schema.minLength === "number" && length < schema.minLength) {
    fail(`expected at least ${plural(schema.minLength, "character")}, got ${length}`);
  }
  if (typeof schema.maxLength === "number" && length > schema.maxLength) {
    fail(`expected at most ${plural(schema.maxLength, "character")}, got ${length}`);
  }
  if (typeof schema.pattern === "string") {
    const regex = compilePattern(schema.pattern);
    if (regex && !regex.test(value)) fail(`expected a string matching /${schema.pattern}/`);
  }
}

function checkNumber(schema: JsonSchema, value: number | bigint, fail: (m: string) => void): void {
  const n = Number(value);
  const got = `got ${String(value)}`;
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
  if (typeof minimum === "number") {
    // draft-04 spells an exclusive bound as `exclusiveMinimum: true` beside `minimum`.
    if (exclusiveMinimum === true ? n <= minimum : n < minimum) {
      fail(`expected a value ${exclusiveMinimum === true ? ">" : ">="} ${minimum}, ${got}`);
    }
  }
  if (typeof exclusiveMinimum === "number" && n <= exclusiveMinimum) {
    fail(`expected a value > ${exclusiveMinimum}, ${got}`);
  }
  if (typeof maximum === "number") {
    if (exclusiveMaximum === true ? n >= maximum : n > maximum) {
      fail(`expected a value ${exclusiveMaximum === true ? "<" : "<="} ${maximum}, ${got}`);
    }
  }
  if (typeof exclusiveMaximum === "number" && n >= exclusiveMaximum) {
    fail(`expected a value < ${exclusiveMaximum}, ${got}`);
  }
  if (typeof multipleOf === "number" && multipleOf > 0) {
    const q = n / multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) fail(`expected a multiple of ${multipleOf}, ${got}`);
  }
}

function checkArray(schema: JsonSchema, value: readonly unknown[], at: At): void {
  const fail = (message: string) => at.issues.push({ path: at.path, message });
  if (typeof schema.minItems === "number" && value.length < schema.minItems) {
    fail(`expected at least ${plural(schema.minItems, "item")}, got ${value.length}`);
  }
  if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
    fail(`expected at most ${plural(schema.maxItems, "item")}, got ${value.length}`);
  }
  const prefix = Array.isArray(schema.prefixItems)
    ? schema.prefixItems
    : Array.isArray(schema.items)
      ? schema.items
      : [];
  const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  value.forEach((item, i) => {
    const itemSchema = i < prefix.length ? prefix[i] : rest;
    if (itemSchema === false && i >= prefix.length) {
      fail(`expected at most ${plural(prefix.length, "item")}`);
    } else {
      check(itemSchema, item, below(at, i));
    }
  });
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, at: At): void {
  const fail = (message: string) => at.issues.push({ path: at.path, message });
  const properties = isRecord(schema.properties) ? schema.properties : {};
  if (Array.isArray(schema.required)) {
    for (const key of schema.required) {
      if (typeof key === "string" && !hasOwn(value, key)) {
        fail(`missing required key ${JSON.stringify(key)}`);
      }
    }
  }
  for (const [key, item] of Object.entries(value)) {
    if (hasOwn(properties, key)) {
      check(properties[key], item, below(at, key));
    } else if (schema.additionalProperties === false) {
      fail(`unexpected key ${JSON.stringify(key)}`);
    } else if (isRecord(schema.additionalProperties)) {
      check(schema.additionalProperties, item, below(at, key));
    }
  }
}

function shallowTypeFits(schema: unknown, value: unknown): boolean {
  if (!isRecord(schema)) return schema !== false;
  const types = typeof schema.type === "string" ? [schema.type] : schema.type;
  if (!Array.isArray(types)) return !("const" in schema) && !Array.isArray(schema.enum);
  return types.some((t) => typeof t === "string" && hasType(value, t));
}

/** Does `value` (as it arrives from the sandbox) have JSON Schema type `type`? */
function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" || typeof value === "bigint";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint";
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    default:
      return true;
  }
}

const patternCache = new Map<string, RegExp | null>();

function compilePattern(pattern: string): RegExp | null {
  let regex = patternCache.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, "u");
    } catch {
      // A pattern JS cannot compile is skipped, not held against the caller.
      regex = null;
    }
    if (patternCache.size < 500) patternCache.set(pattern, regex);
  }
  return regex;
}

/** A value as a validation message shows it: its Python literal when short, else its type. */
export function shownValue(value: unknown): string {
  const text = pythonLiteral(value);
  return text !== undefined && text.length <= 60 ? text : pythonTypeName(value);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a === "bigint" || typeof b === "bigint") return Number(a) === Number(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return (
    ak.length === bk.length &&
    ak.every(
      (k) => hasOwn(b, k) && deepEqual((a as JsonSchema)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

function hasOwn(object: object, key: string): boolean {
  return Object.hasOwn(object, key);
}
