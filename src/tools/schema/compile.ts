/**
 * Tool schemas in, JSON Schema plus a validator out. Users describe arguments and results
 * with whatever they already have: a Zod 4 schema, another Standard Schema library that can
 * emit JSON Schema, or a plain JSON Schema object (MCP tools). Everything downstream
 * (Python hints, stubs, binding) reads only the JSON Schema; validation stays with the
 * library that defined the schema, so its coercions, defaults and refinements still apply.
 */
import { createRequire } from "node:module";
// Types only: a Zod schema is read through its own Standard Schema interface, so importing
// codemode does not load Zod (~100 ms) for users who never pass one.
import type { z } from "zod";
import { defineEntry } from "../../define-entry.js";
import { errorText } from "../../error-text.js";
import { ToolDefinitionError } from "../../errors.js";
import { isPlainObject } from "../../plain-object.js";
import { pythonLiteral, pythonTypeHint, pythonTypeName } from "../python/type-hints.js";
import type { JsonSchema } from "../types.js";
import { type SchemaIssue, shownValue, validateJsonSchema } from "./validate.js";

export type { SchemaIssue } from "./validate.js";

/** Any object implementing Standard Schema (`~standard`), e.g. a Zod, Valibot or ArkType schema. */
export interface StandardSchemaLike {
  readonly "~standard": { readonly vendor: string; readonly version: number };
}

/** What `parameters` / `returns` accept: a Zod 4 or other Standard Schema, or JSON Schema. */
export type SchemaSpec = StandardSchemaLike | JsonSchema;

/** Whether the schema describes what callers pass in, or what comes out after parsing. */
export type SchemaIo = "input" | "output";

export type SchemaCheck = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] };

/** A schema read once at definition time: its JSON Schema and a validator that never throws. */
export interface CompiledSchema {
  readonly jsonSchema: JsonSchema;
  /**
   * True when `check` fills in defaults itself (Zod, other libraries). Plain JSON Schema
   * does not, so the caller fills them from the `default` keywords.
   */
  readonly appliesDefaults: boolean;
  check(value: unknown): SchemaCheck | Promise<SchemaCheck>;
}

/** True for anything carrying a Standard Schema `~standard` property. */
export function isStandardSchema(value: unknown): value is StandardSchemaLike {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const std = (value as { "~standard"?: unknown })["~standard"];
  return typeof std === "object" && std !== null;
}

/** True for a Zod 4 schema (classic or mini); Zod 3 schemas lack the `_zod` internals. */
export function isZodSchema(value: unknown): value is z.core.$ZodType {
  return (
    isStandardSchema(value) &&
    value["~standard"].vendor === "zod" &&
    typeof (value as { _zod?: unknown })._zod === "object"
  );
}

/**
 * The JSON Schema for `spec`, with `$schema` keys removed. `label` names the thing in
 * error messages, e.g. `tool "fetch_data" parameters`.
 */
export function toJsonSchema(
  spec: SchemaSpec,
  io: SchemaIo = "input",
  label = "schema",
): JsonSchema {
  return compileSchema(spec, io, label).jsonSchema;
}

/** Reads `spec` once: JSON Schema for rendering, plus the validator matching its kind. */
export function compileSchema(spec: SchemaSpec, io: SchemaIo, label: string): CompiledSchema {
  if (isZodSchema(spec)) return compileZod(spec, io, label);
  if (isStandardSchema(spec)) return compileStandard(spec, io, label);
  if (isPlainObject(spec) || typeof spec === "boolean") return compileJson(spec, label);
  throw new ToolDefinitionError(
    `${label}: expected a Zod schema, a Standard Schema or a JSON Schema object, ` +
      `got ${describeKind(spec)}.`,
  );
}

/**
 * Like `compileSchema`, for a tool's `parameters`: the schema must describe one object
 * whose properties are the keyword arguments. Omitted parameters mean "no arguments".
 */
export function compileParameters(spec: SchemaSpec | undefined, label: string): CompiledSchema {
  if (spec === undefined) return compileJson({ type: "object", properties: {} }, label);
  if (isPlainObject(spec) && !isStandardSchema(spec) && looksLikeZodShape(spec)) {
    throw new ToolDefinitionError(
      `${label}: got an object of Zod schemas; wrap it in z.object({ ... }) so the tool ` +
        "has one schema describing all its arguments.",
    );
  }
  const compiled = compileSchema(spec, "input", label);
  const schema = compiled.jsonSchema;
  if (Object.keys(schema).length === 0) {
    // `{}` as parameters reads naturally as "no arguments".
    return compileJson({ type: "object", properties: {} }, label);
  }
  const type = schema.type;
  const isObject = type === "object" || (type === undefined && isPlainObject(schema.properties));
  if (!isObject) {
    const what =
      schema.anyOf || schema.oneOf
        ? "a union"
        : type === undefined
          ? "a schema without an object type"
          : `type ${JSON.stringify(type)}`;
    throw new ToolDefinitionError(
      `${label} must describe an object (its properties become the keyword arguments), got ` +
        `${what}. Pass z.object({ ... }) or a JSON Schema such as ` +
        '{ type: "object", properties: { ... }, required: [ ... ] }.',
    );
  }
  if (type === undefined)
    return { ...compiled, jsonSchema: freezeDeep({ type: "object", ...schema }) };
  return compiled;
}

/** What a Zod 4 schema offers through `~standard` (JSON Schema since Zod 4.2). */
interface ZodStandardProps {
  validate(value: unknown): ZodValidation | Promise<ZodValidation>;
  jsonSchema?: Record<SchemaIo, (options: { target: string; libraryOptions?: object }) => unknown>;
}
type ZodValidation =
  | { value: unknown; issues?: undefined }
  | { issues: readonly z.core.$ZodIssue[] };

function compileZod(schema: z.core.$ZodType, io: SchemaIo, label: string): CompiledSchema {
  const std = schema["~standard"] as unknown as ZodStandardProps;
  let raw: unknown;
  try {
    // unrepresentable: "any" turns e.g. z.date() into `{}` (Any) instead of failing the
    // whole tool; Zod itself still validates the value.
    raw = std.jsonSchema
      ? std.jsonSchema[io]({ target: "draft-2020-12", libraryOptions: { unrepresentable: "any" } })
      : zodToJsonSchemaFallback(schema, io);
  } catch (error) {
    throw new ToolDefinitionError(
      `${label}: Zod could not convert the schema to JSON Schema (${errorText(error)}).`,
      { cause: error },
    );
  }
  const jsonSchema = cleanJsonSchema(raw, label);
  const fromZod = (result: ZodValidation, input: unknown): SchemaCheck =>
    result.issues === undefined
      ? { ok: true, value: result.value }
      : { ok: false, issues: result.issues.map((i) => zodIssue(i, input, jsonSchema)) };
  return {
    jsonSchema,
    appliesDefaults: true,
    check(value) {
      try {
        // Zod's validate answers synchronously, or with a promise for async refinements.
        const result = std.validate(value);
        if (result instanceof Promise) {
          return result.then(
            (r) => fromZod(r, value),
            (e: unknown) => thrown(e),
          );
        }
        return fromZod(result, value);
      } catch (error) {
        return thrown(error);
      }
    },
  };
}

/** Zod 4.0 and 4.1 schemas have no `~standard.jsonSchema`: convert with our own Zod. */
function zodToJsonSchemaFallback(schema: z.core.$ZodType, io: SchemaIo): unknown {
  const zod = createRequire(import.meta.url)("zod") as typeof z;
  return zod.toJSONSchema(schema, { io, unrepresentable: "any" });
}

function compileStandard(spec: StandardSchemaLike, io: SchemaIo, label: string): CompiledSchema {
  const std = spec["~standard"] as {
    vendor: string;
    validate?: unknown;
    jsonSchema?: { input?: unknown; output?: unknown };
  };
  const jsonSchema = cleanJsonSchema(standardJsonSchema(spec, io, label), label);
  const validate = std.validate;
  if (typeof validate !== "function") {
    // Standard JSON Schema alone (no validator): fall back to validating the JSON Schema.
    return compileJson(jsonSchema, label);
  }
  const fromResult = (result: unknown): SchemaCheck => {
    if (!isPlainObject(result) && !(typeof result === "object" && result !== null)) {
      return { ok: false, issues: [{ path: [], message: "the schema's validator failed" }] };
    }
    const { issues, value } = result as { issues?: unknown; value?: unknown };
    if (!Array.isArray(issues)) return { ok: true, value };
    return { ok: false, issues: issues.map(standardIssue) };
  };
  return {
    jsonSchema,
    appliesDefaults: true,
    check(value) {
      try {
        const result: unknown = validate.call(std, value);
        if (result instanceof Promise) return result.then(fromResult, (e: unknown) => thrown(e));
        return fromResult(result);
      } catch (error) {
        return thrown(error);
      }
    },
  };
}

function standardJsonSchema(spec: StandardSchemaLike, io: SchemaIo, label: string): unknown {
  const std = spec["~standard"] as { vendor: string; jsonSchema?: Record<string, unknown> };
  const convert = std.jsonSchema?.[io];
  const errors: unknown[] = [];
  if (typeof convert === "function") {
    // The Standard JSON Schema proposal: try the two targets libraries are asked to support.
    for (const target of ["draft-2020-12", "draft-07"]) {
      try {
        return convert.call(std.jsonSchema, { target });
      } catch (error) {
        errors.push(error);
      }
    }
  }
  for (const method of ["toJSONSchema", "toJsonSchema"]) {
    const fn = (spec as unknown as Record<string, unknown>)[method];
    if (typeof fn === "function") {
      try {
        return fn.call(spec);
      } catch (error) {
        errors.push(error);
      }
    }
  }
  const hint =
    std.vendor === "zod"
      ? " This looks like a Zod 3 schema: upgrade to zod@4, whose schemas convert to JSON Schema."
      : " Pass a schema that implements Standard JSON Schema (`~standard.jsonSchema`) or has a " +
        "toJSONSchema() method, a Zod 4 schema, or a plain JSON Schema object.";
  const why = errors.length > 0 ? ` (${errorText(errors[errors.length - 1])})` : "";
  throw new ToolDefinitionError(
    `${label}: this ${std.vendor} schema cannot describe itself as JSON Schema${why}.${hint}`,
    { cause: errors[errors.length - 1] },
  );
}

function compileJson(spec: unknown, label: string): CompiledSchema {
  const jsonSchema = cleanJsonSchema(spec, label);
  return {
    jsonSchema,
    appliesDefaults: false,
    check(value) {
      const issues = validateJsonSchema(jsonSchema, value);
      return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
    },
  };
}

/**
 * A deep, frozen copy with `$schema` removed at every level (it is noise to every reader
 * downstream). Rejects values that are not JSON: cycles, functions, class instances.
 */
function cleanJsonSchema(raw: unknown, label: string): JsonSchema {
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

function freezeDeep<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freezeDeep(v);
  }
  return value;
}

/** Words a Zod issue like the JSON Schema validator does: "expected int, got str". */
function zodIssue(issue: z.core.$ZodIssue, input: unknown, root: JsonSchema): SchemaIssue {
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

function standardIssue(issue: unknown): SchemaIssue {
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

function thrown(error: unknown): SchemaCheck {
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

/** The sub-schema at `path`, looking through properties, items and union branches. */
export function schemaAt(root: unknown, path: readonly (string | number)[]): unknown {
  let schema: unknown = root;
  for (const key of path) {
    schema = step(schema, key, 0, root);
    if (schema === undefined) return undefined;
  }
  return schema;
}

function step(schema: unknown, key: string | number, depth: number, root: unknown): unknown {
  if (!isPlainObject(schema) || depth > 8) return undefined;
  if (typeof schema.$ref === "string")
    return step(localRef(schema.$ref, root), key, depth + 1, root);
  for (const combinator of ["anyOf", "oneOf", "allOf"]) {
    const branches = schema[combinator];
    if (Array.isArray(branches)) {
      for (const branch of branches) {
        const found = step(branch, key, depth + 1, root);
        if (found !== undefined) return found;
      }
    }
  }
  if (typeof key === "number") {
    const prefix = schema.prefixItems;
    if (Array.isArray(prefix) && key < prefix.length) return prefix[key];
    return isPlainObject(schema.items) ? schema.items : undefined;
  }
  const props = schema.properties;
  if (isPlainObject(props) && Object.hasOwn(props, key)) return props[key];
  return isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
}

function localRef(ref: string, root: unknown): unknown {
  if (!isPlainObject(root)) return undefined;
  if (ref === "#") return root;
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
  const defs = match ? root[match[1]!] : undefined;
  return isPlainObject(defs) && match ? defs[match[2]!] : undefined;
}

/** Zod 3-style objects of schemas (`{ a: z.string() }`) passed where one schema belongs. */
function looksLikeZodShape(value: Record<string, unknown>): boolean {
  const values = Object.values(value);
  return values.length > 0 && values.every((v) => isStandardSchema(v));
}

function lowerFirst(text: string): string {
  return text.length > 1 && /^[A-Z][a-z]/.test(text)
    ? text[0]!.toLowerCase() + text.slice(1)
    : text;
}

function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = (value as object).constructor?.name;
    return name && name !== "Object" ? `a ${name} instance` : "an object";
  }
  return typeof value === "function" ? "a function" : `a ${typeof value}`;
}
