/**
 * JSON Schema and JS values rendered as Python text. The model reads these hints in the
 * tool signatures and Monty's type checker reads them in the stub, so every output here
 * must be valid Python. Without a `PythonTypeScope` the hints need nothing beyond
 * `from typing import Any, Literal`; with one, objects with known properties become named
 * `TypedDict`s that the scope declares (see `typed-dicts.ts`).
 */
import { isRecord } from "../../plain-object.js";
import { deref, resolveRef } from "../schema/refs.js";
import type { JsonSchema } from "../types.js";

const SCALAR_HINTS: Readonly<Record<string, string>> = {
  string: "str",
  integer: "int",
  number: "float",
  boolean: "bool",
  null: "None",
};

/**
 * Where object schemas go when a hint is rendered inside a tool set: the scope names and
 * declares a TypedDict per object shape. Implemented by `PythonTypeScope`.
 */
export interface TypedDictSink {
  /**
   * The class name for `schema`, declaring it on first sight. `name` is the suggested name;
   * `root` and `rootName` are passed on to the hints of its fields.
   */
  typedDict(schema: JsonSchema, name: string, root: unknown, rootName: string): string;
}

/** How a hint is rendered. */
export interface HintOptions {
  /** Declares TypedDicts for objects with properties; without it objects are `dict[str, Any]`. */
  scope?: TypedDictSink | undefined;
  /** PascalCase name for the TypedDict of this schema, e.g. `GetUserResult`. */
  name?: string | undefined;
  /** The TypedDict name for a reference to `root` itself (`$ref: "#"`). */
  rootName?: string | undefined;
  /**
   * Argument hints for the type-check stub: objects become `Mapping[str, ...]` and lists of
   * objects `Sequence[...]`, which accept every dict the code may build (a dict held in a
   * variable is inferred as `dict[str, str]`, which a TypedDict parameter would reject) and
   * the TypedDicts other tools return (which `dict[str, Any]` would reject); `int` becomes
   * `float` (which takes ints too), so a `number` from another tool's result passes.
   */
  loose?: boolean | undefined;
}

/**
 * The Python type hint for a JSON Schema: `{type: "array", items: {type: "string"}}` ->
 * `list[str]`. Anything it cannot express precisely becomes `Any` (never a wrong type,
 * which would make the type checker reject correct code).
 */
export function pythonTypeHint(schema: unknown, root?: unknown, options: HintOptions = {}): string {
  const name = options.name ?? "Type";
  const ctx: Context = {
    root,
    rootName: options.rootName ?? name,
    scope: options.scope,
    loose: options.loose === true,
  };
  return hint(schema, 0, ctx, name);
}

// Deep or recursive schemas end in Any rather than an unbounded string.
const MAX_DEPTH = 12;

interface Context {
  root: unknown;
  rootName: string;
  scope: TypedDictSink | undefined;
  loose: boolean;
}

function hint(schema: unknown, depth: number, ctx: Context, name: string): string {
  if (!isRecord(schema) || depth > MAX_DEPTH) return "Any";
  // Local references (`#/$defs/Node`, as Zod emits for recursive schemas) are followed
  // through `root`; depth bounds recursion (a scope names recursive objects instead).
  if (typeof schema.$ref === "string") {
    return hint(resolveRef(schema.$ref, ctx.root), depth + 1, ctx, refName(schema.$ref, ctx, name));
  }

  if ("const" in schema) return withNullable(schema, literalHint([schema.const]));
  if (Array.isArray(schema.enum)) return withNullable(schema, literalHint(schema.enum));

  const branches = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : undefined;
  if (branches) {
    const objects = branches.filter((b) => isRecord(b) && isTypedDictShape(deref(b, ctx.root)));
    const names = optionNames(branches, ctx.root, name);
    return withNullable(
      schema,
      union(
        branches.map((b, i) =>
          hint(b, depth + 1, ctx, objects.length > 1 ? (names[i] ?? name) : name),
        ),
      ),
    );
  }
  if (Array.isArray(schema.allOf)) {
    // An intersection only has a simple Python spelling when it has one member.
    return schema.allOf.length === 1 ? hint(schema.allOf[0], depth + 1, ctx, name) : "Any";
  }

  if (Array.isArray(schema.type)) {
    const parts = schema.type.map((t) => typeHint({ ...schema, type: t }, depth, ctx, name));
    return withNullable(schema, union(parts));
  }
  return withNullable(schema, typeHint(schema, depth, ctx, name));
}

/** Hint for a schema whose `type` is a single string (or absent). */
function typeHint(schema: JsonSchema, depth: number, ctx: Context, name: string): string {
  const type = schema.type;
  // A float that is whole passes an integer check at run time (3.0 arrives as 3), and tools
  // often declare ids as plain numbers: `get_order(id=row["id"])` with a `float` id must pass.
  if (type === "integer" && ctx.loose) return "float";
  if (typeof type === "string" && type in SCALAR_HINTS) return SCALAR_HINTS[type] ?? "Any";
  if (type === "array" || (type === undefined && ("items" in schema || "prefixItems" in schema))) {
    const items = itemsHint(schema, depth, ctx, `${name}Item`);
    return ctx.loose && items.includes("Mapping[") ? `Sequence[${items}]` : `list[${items}]`;
  }
  if (type === "object" || (type === undefined && "properties" in schema)) {
    return objectHint(schema, depth, ctx, name);
  }
  return "Any";
}

function itemsHint(schema: JsonSchema, depth: number, ctx: Context, name: string): string {
  const parts: string[] = [];
  // Tuples (prefixItems) are offered as lists: the model writes `[a, b]` far more often
  // than `(a, b)`, and a `tuple[...]` hint would reject the list.
  if (Array.isArray(schema.prefixItems)) {
    schema.prefixItems.forEach((item, i) => {
      parts.push(hint(item, depth + 1, ctx, `${name}${i + 1}`));
    });
    if (isRecord(schema.items)) parts.push(hint(schema.items, depth + 1, ctx, name));
    return parts.length === 0 ? "Any" : union(parts);
  }
  if (Array.isArray(schema.items)) {
    // draft-04 tuple form.
    return schema.items.length === 0
      ? "Any"
      : union(schema.items.map((item, i) => hint(item, depth + 1, ctx, `${name}${i + 1}`)));
  }
  return hint(schema.items, depth + 1, ctx, name);
}

function objectHint(schema: JsonSchema, depth: number, ctx: Context, name: string): string {
  const dict = ctx.loose ? "Mapping" : "dict";
  const extra = schema.additionalProperties;
  if (isTypedDictShape(schema)) {
    if (ctx.loose) return "Mapping[str, Any]";
    if (ctx.scope) return ctx.scope.typedDict(schema, name, ctx.root, ctx.rootName);
    return "dict[str, Any]";
  }
  const props = schema.properties;
  const hasProps = isRecord(props) && Object.keys(props).length > 0;
  // Records (`z.record`) carry their value schema in additionalProperties.
  if (!hasProps && isRecord(extra)) {
    return `${dict}[str, ${hint(extra, depth + 1, ctx, `${name}Value`)}]`;
  }
  return `${dict}[str, Any]`;
}

/**
 * True for an object schema with named properties and no other keys allowed (or none
 * said): the shape a TypedDict spells. Open objects (`additionalProperties: true` or a
 * schema, `patternProperties`) stay dicts, or the checker would reject their extra keys.
 */
export function isTypedDictShape(schema: unknown): boolean {
  if (!isRecord(schema)) return false;
  const type = schema.type;
  if (!(type === "object" || (type === undefined && "properties" in schema))) return false;
  const props = schema.properties;
  if (!isRecord(props) || Object.keys(props).length === 0) return false;
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) return false;
  return schema.patternProperties === undefined;
}

/**
 * The TypedDict name for a `$ref` target: the root's name for `#`, the definition's own name
 * for readable `$defs` names (`#/$defs/Customer` -> `Customer`, as Zod writes
 * `.meta({ id: "Customer" })`), else the path's name (Zod calls recursive definitions
 * `__schema0`).
 */
function refName(ref: string, ctx: Context, pathName: string): string {
  if (ref === "#") return ctx.rootName;
  const match = /^#\/(?:\$defs|definitions)\/([A-Za-z][^/]*)$/.exec(ref);
  const defName = match ? pascalCase(decodeURIComponent(match[1]!)) : "";
  return defName === "" ? pathName : defName;
}

/**
 * Names for the members of a union of objects: the value of a string `const` property
 * when each member has one (`{kind: "circle"}` -> `ShapeCircle`), else `Option1`, ...
 */
function optionNames(branches: readonly unknown[], root: unknown, base: string): string[] {
  const tags = branches.map((b) => {
    const target = isRecord(b) ? deref(b, root) : undefined;
    if (!isRecord(target) || !isRecord(target.properties)) return undefined;
    for (const prop of Object.values(target.properties)) {
      if (isRecord(prop) && typeof prop.const === "string") return pascalCase(prop.const);
    }
    return undefined;
  });
  const distinct = new Set(tags);
  const useTags = tags.every((t) => t !== undefined && t !== "") && distinct.size === tags.length;
  return branches.map((_, i) => `${base}${useTags ? tags[i] : `Option${i + 1}`}`);
}

/** `get_user` -> `GetUser`, `first-name` -> `FirstName`, `userId` -> `UserId`. */
export function pascalCase(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "");
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** OpenAPI 3.0 style `nullable: true`. */
function withNullable(schema: JsonSchema, base: string): string {
  return schema.nullable === true ? union([base, "None"]) : base;
}

function literalHint(values: readonly unknown[]): string {
  const literals: string[] = [];
  let hasNone = false;
  for (const value of values) {
    if (value === null) hasNone = true;
    else if (
      typeof value === "string" ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isInteger(value))
    ) {
      literals.push(pythonLiteral(value) ?? "None");
    } else {
      // Floats, objects and arrays cannot appear in Literal[...].
      return "Any";
    }
  }
  const parts = literals.length > 0 ? [`Literal[${literals.join(", ")}]`] : [];
  if (hasNone) parts.push("None");
  return parts.length === 0 ? "Any" : parts.join(" | ");
}

/** `A | B`, flattened and deduplicated; any `Any` absorbs the rest. */
function union(parts: readonly string[]): string {
  const seen: string[] = [];
  for (const part of parts) {
    for (const piece of splitTopLevelUnion(part)) {
      if (piece === "Any") return "Any";
      if (!seen.includes(piece)) seen.push(piece);
    }
  }
  // None reads best last: `str | None`.
  const sorted = [...seen.filter((p) => p !== "None"), ...seen.filter((p) => p === "None")];
  return sorted.length === 0 ? "Any" : sorted.join(" | ");
}

function splitTopLevelUnion(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "|" && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/** True when a hint already admits None (so `| None` would be redundant). */
export function hintAllowsNone(typeHint: string): boolean {
  return splitTopLevelUnion(typeHint).some((p) => p === "None" || p === "Any");
}

/** `T | None` without duplicating None or decorating Any. */
export function optionalHint(typeHint: string): string {
  return hintAllowsNone(typeHint) ? typeHint : `${typeHint} | None`;
}

/**
 * A JS value as Python literal text: `true` -> `True`, `null` -> `None`, `"a\"b"` ->
 * `"a\"b"`, arrays -> lists, plain objects -> dicts. Returns undefined for values
 * Python source cannot spell (functions, Dates, NaN, cycles, class instances).
 */
export function pythonLiteral(value: unknown): string | undefined {
  return literal(value, new Set());
}

function literal(value: unknown, seen: Set<object>): string | undefined {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    return Object.is(value, -0) ? "0" : String(value);
  }
  // JSON string escapes (\n, \", \\, \uXXXX) are all valid in Python string literals.
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object" || seen.has(value)) return undefined;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map((v) => literal(v, seen));
      return items.every((i) => i !== undefined) ? `[${items.join(", ")}]` : undefined;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return undefined;
    const entries: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const text = literal(v, seen);
      if (text === undefined) return undefined;
      entries.push(`${JSON.stringify(k)}: ${text}`);
    }
    return `{${entries.join(", ")}}`;
  } finally {
    seen.delete(value);
  }
}

/**
 * The Python type name of a value as it arrives from the sandbox, for messages such as
 * "expected int, got str". Knows Monty's conversions (dict -> Map, tuple marker, bytes).
 */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "None";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "string":
      return "str";
    case "function":
      return "function";
    case "object":
      break;
    default:
      return typeof value;
  }
  if (Array.isArray(value)) return "__tuple__" in value ? "tuple" : "list";
  if (value instanceof Map) return "dict";
  if (value instanceof Set) return "set";
  if (value instanceof Uint8Array) return "bytes";
  const tag = (value as { __monty_type__?: unknown }).__monty_type__;
  if (typeof tag === "string") return tag;
  return "dict";
}
