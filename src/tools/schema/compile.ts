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
import { errorText } from "../../error-text.js";
import { ToolDefinitionError } from "../../errors.js";
import { isPlainObject } from "../../plain-object.js";
import type { JsonSchema } from "../types.js";
import { cleanJsonSchema, describeKind, freezeDeep } from "./clean.js";
import { standardIssue, thrown, zodIssue } from "./issues.js";
import { type SchemaIssue, validateJsonSchema } from "./validate.js";

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

/** Zod 3-style objects of schemas (`{ a: z.string() }`) passed where one schema belongs. */
function looksLikeZodShape(value: Record<string, unknown>): boolean {
  const values = Object.values(value);
  return values.length > 0 && values.every((v) => isStandardSchema(v));
}
