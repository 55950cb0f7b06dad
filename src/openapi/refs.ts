/**
 * Local `$ref`s of an OpenAPI document. Parameters, request bodies and responses are
 * followed to their target (a chain of references too, a loop refused). Schemas keep their
 * references: each referenced schema becomes one entry of the tool schema's `$defs`
 * (`#/components/schemas/Pet` -> `#/$defs/Pet`), so recursive schemas stay finite and the
 * Python stubs name them after the component (`Pet`). References outside the document are
 * refused with the pointer where they appear.
 */
import { isPlainObject } from "../plain-object.js";
import { pascalCase } from "../tools/python/type-hints.js";
import type { JsonSchema } from "../tools/types.js";
import { jsonPointer, OpenApiError } from "./errors.js";

type Json = Record<string, unknown>;

/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = [
  "items",
  "additionalProperties",
  "not",
  "contains",
  "propertyNames",
  "if",
  "then",
  "else",
  "unevaluatedItems",
  "unevaluatedProperties",
  "additionalItems",
  "contentSchema",
];
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ["allOf", "anyOf", "oneOf", "prefixItems"];
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP_KEYWORDS = ["properties", "patternProperties", "dependentSchemas"];
/** OpenAPI's annotations that mean nothing to a JSON Schema reader (and may hold refs of their own). */
const DROPPED_KEYWORDS = new Set(["discriminator", "xml", "externalDocs", "example", "$schema"]);

export class RefResolver {
  /** Definition name per target pointer, and the converted definitions by name. */
  private readonly names = new Map<string, string>();
  private readonly defs = new Map<string, JsonSchema>();
  /** Names each definition refers to directly. */
  private readonly uses = new Map<string, Set<string>>();

  constructor(private readonly document: Readonly<Json>) {}

  /** The value at a local pointer such as `#/components/parameters/limit`. */
  at(ref: string, where: string): unknown {
    if (!ref.startsWith("#")) {
      throw new OpenApiError(
        "unsupported",
        `${where} refers to "${ref}", outside this document: codemode resolves only local ` +
          "references (#/...). Bundle the document into one file first (for example with " +
          "`redocly bundle` or `swagger-cli bundle`).",
        { pointer: where },
      );
    }
    let value: unknown = this.document;
    const path = ref.slice(1);
    if (path !== "") {
      if (!path.startsWith("/")) {
        throw new OpenApiError("invalid", `${where}: "${ref}" is not a JSON pointer.`, {
          pointer: where,
        });
      }
      for (const raw of path.slice(1).split("/")) {
        const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
        if (Array.isArray(value) && /^\d+$/.test(key)) value = value[Number(key)];
        else if (isPlainObject(value) && Object.hasOwn(value, key)) value = value[key];
        else value = undefined;
        if (value === undefined) {
          throw new OpenApiError(
            "invalid",
            `${where} refers to "${ref}", which is not in the document: fix the reference.`,
            { pointer: where },
          );
        }
      }
    }
    return value;
  }

  /**
   * An object that may be a `$ref` (a parameter, request body, response, path item),
   * followed to what it names. Returns the object and its own pointer.
   */
  follow(value: unknown, pointer: string): { value: Json; pointer: string } {
    const seen = new Set<string>();
    let current = value;
    let at = pointer;
    while (isPlainObject(current) && typeof current.$ref === "string") {
      const ref = current.$ref;
      if (seen.has(ref)) {
        throw new OpenApiError(
          "invalid",
          `${pointer}: the reference "${ref}" leads back to itself: fix the loop.`,
          { pointer },
        );
      }
      seen.add(ref);
      current = this.at(ref, at);
      at = ref;
    }
    if (!isPlainObject(current)) {
      throw new OpenApiError("invalid", `${at}: expected an object.`, { pointer: at });
    }
    return { value: current, pointer: at };
  }

  /**
   * `schema` (at `pointer`) as JSON Schema for a tool: references become `#/$defs/Name`,
   * with every definition it reaches in `$defs`. `undefined` gives `{}` (any value).
   */
  schema(schema: unknown, pointer: string): JsonSchema {
    if (schema === undefined) return {};
    const converted = this.convert(schema, pointer);
    const direct = new Set<string>();
    collectRefs(converted, direct);
    const reached = this.closure(direct);
    if (reached.length === 0) return converted;
    return { ...converted, $defs: Object.fromEntries(reached.map((n) => [n, this.defs.get(n)!])) };
  }

  /** Every definition reachable from `start`, in a stable order (the order first met). */
  private closure(start: Iterable<string>): string[] {
    const out: string[] = [];
    const queue = [...start];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(name);
      queue.push(...(this.uses.get(name) ?? []));
    }
    return out;
  }

  /** The definition name of a reference target, converting the target the first time. */
  private definition(ref: string, where: string): string {
    const known = this.names.get(ref);
    if (known !== undefined) return known;
    const target = this.at(ref, where);
    const name = this.reserve(ref);
    // Named before converting, so a schema that refers to itself finds its name.
    this.names.set(ref, name);
    this.defs.set(name, {});
    const converted = this.convert(target, ref);
    const used = new Set<string>();
    collectRefs(converted, used);
    this.defs.set(name, converted);
    this.uses.set(name, used);
    return name;
  }

  /** `#/components/schemas/Pet` -> `Pet`; other pointers by their last parts. Unique. */
  private reserve(ref: string): string {
    const parts = ref.split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    const component = /^#\/components\/schemas\/[^/]+$/.test(ref);
    const raw = component ? parts[3]! : parts.slice(-2).join(" ");
    let base = pascalCase(raw) || "Schema";
    if (/^[0-9]/.test(base)) base = `Schema${base}`;
    // Component names that were already identifiers keep their exact spelling.
    if (component && /^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) base = raw;
    const taken = new Set(this.names.values());
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    return name;
  }

  private convert(schema: unknown, pointer: string): JsonSchema {
    if (schema === true || schema === undefined) return {};
    if (schema === false) return { not: {} };
    if (!isPlainObject(schema)) {
      throw new OpenApiError("invalid", `${pointer}: a schema must be an object.`, { pointer });
    }
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(schema)) {
      if (DROPPED_KEYWORDS.has(key) || key.startsWith("x-")) continue;
      const at = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (key === "$ref" && typeof value === "string") {
        out.$ref = `#/$defs/${this.definition(value, pointer)}`;
      } else if (
        SCHEMA_KEYWORDS.includes(key) &&
        (isPlainObject(value) || typeof value === "boolean")
      ) {
        out[key] = typeof value === "boolean" ? value : this.convert(value, at);
      } else if (key === "items" && Array.isArray(value)) {
        out[key] = value.map((v, i) => this.convert(v, `${at}/${i}`));
      } else if (SCHEMA_LIST_KEYWORDS.includes(key) && Array.isArray(value)) {
        out[key] = value.map((v, i) => this.convert(v, `${at}/${i}`));
      } else if (SCHEMA_MAP_KEYWORDS.includes(key) && isPlainObject(value)) {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([name, v]) => [
            name,
            this.convert(v, jsonPointerJoin(at, name)),
          ]),
        );
      } else if (key !== "$defs" && key !== "definitions") {
        // Nested definitions are reached through their references, not carried along.
        out[key] = value;
      }
    }
    return Array.isArray(out.allOf) ? this.mergeAllOf(out) : out;
  }

  /**
   * `allOf` of plain objects (`allOf: [{ $ref: Pet }, { properties: { extra } }]`, how
   * OpenAPI documents extend a schema) as one object, so it reads as one TypedDict rather
   * than `Any`. Anything else (a union inside, a member still being converted) stays as is.
   */
  private mergeAllOf(schema: JsonSchema): JsonSchema {
    const { allOf, ...rest } = schema;
    const members = [rest, ...(allOf as unknown[])].map((m) =>
      isPlainObject(m) && typeof m.$ref === "string" && Object.keys(m).length === 1
        ? this.defs.get(m.$ref.slice("#/$defs/".length))
        : m,
    );
    const properties: Record<string, unknown> = {};
    const required = new Set<string>();
    for (const member of members) {
      if (!isPlainObject(member)) return schema;
      const { type, properties: props, required: req, description, title, ...other } = member;
      if (type !== undefined && type !== "object") return schema;
      const extra = Object.keys(other);
      if (extra.some((k) => COMBINATORS.has(k))) return schema;
      // A member without properties (still being converted, or not an object) stops the merge.
      if (member !== rest && !isPlainObject(props)) return schema;
      if (isPlainObject(props)) Object.assign(properties, props);
      if (Array.isArray(req)) for (const r of req) if (typeof r === "string") required.add(r);
    }
    return {
      ...rest,
      type: "object",
      properties,
      ...(required.size > 0 ? { required: [...required] } : {}),
    };
  }
}

const COMBINATORS = new Set(["anyOf", "oneOf", "allOf", "not", "$ref"]);

function jsonPointerJoin(base: string, key: string): string {
  return `${base}${jsonPointer(key).slice(1)}`;
}

/** The `$defs` names `schema` refers to (not looking into definitions). */
function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, into);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (key === "$ref" && typeof item === "string" && item.startsWith("#/$defs/")) {
      into.add(item.slice("#/$defs/".length));
    } else if (key !== "enum" && key !== "const" && key !== "default" && key !== "examples") {
      collectRefs(item, into);
    }
  }
}
