/**
 * An operation's inputs as one keyword-argument schema: its path, query and header
 * parameters, then its JSON request body's properties (or one `body` argument when the
 * body is not an object), each with its schema from the document. `bindings` says where
 * each Python argument goes in the request.
 */
import { isPlainObject } from "../plain-object.js";
import { pythonParameterNames } from "../tools/python/names.js";
import type { JsonSchema } from "../tools/types.js";
import { OpenApiError } from "./errors.js";
import type { RawOperation } from "./operations.js";
import type { RefResolver } from "./refs.js";

export type ArgumentLocation = "path" | "query" | "header" | "body-property" | "body";

/** Where one Python argument goes. */
export interface ArgumentBinding {
  /** The keyword argument's name. */
  readonly python: string;
  /** The name in the request: the parameter's or the body property's. */
  readonly name: string;
  readonly in: ArgumentLocation;
  /** OpenAPI's `style` (defaults filled in: `form` for query, `simple` for path and header). */
  readonly style: string;
  readonly explode: boolean;
  /** The parameter is described by `content` (JSON) rather than `schema`: send it as JSON text. */
  readonly json: boolean;
}

export interface OperationInput {
  readonly inputSchema: JsonSchema;
  readonly bindings: readonly ArgumentBinding[];
  /** The request body's media type, when the operation takes one. */
  readonly contentType?: string;
  /** Things the description should tell (renamed arguments, a part left out). */
  readonly notes: readonly string[];
}

/** Header parameters OpenAPI says to ignore: the client sets them. */
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

/** `application/json`, `application/problem+json`, `application/json; charset=utf-8`. */
export function isJsonMediaType(type: string): boolean {
  return /^application\/(?:[\w.-]+\+)?json(?:\s*;.*)?$/i.test(type.trim());
}

interface Entry {
  name: string;
  in: ArgumentLocation;
  schema: JsonSchema;
  required: boolean;
  style: string;
  explode: boolean;
  json: boolean;
}

export function operationInput(op: RawOperation, refs: RefResolver, label: string): OperationInput {
  const notes: string[] = [];
  const entries: Entry[] = [];
  const byKey = new Map<string, number>();
  for (const { value, pointer } of op.parameters) {
    const { value: param, pointer: at } = refs.follow(value, pointer);
    const name = param.name;
    const location = param.in;
    if (typeof name !== "string" || name === "" || typeof location !== "string") {
      throw new OpenApiError("invalid", `${label}: the parameter at ${at} needs "name" and "in".`, {
        pointer: at,
      });
    }
    if (location === "cookie") {
      if (param.required === true) {
        throw new OpenApiError(
          "unsupported",
          `${label} needs the cookie parameter "${name}" (${at}), and codemode does not send ` +
            "cookie parameters: leave the operation out, or send the cookie for every call " +
            'with headers: { cookie: "..." }.',
          { pointer: at },
        );
      }
      notes.push(`Its optional cookie parameter "${name}" is not offered.`);
      continue;
    }
    if (location !== "path" && location !== "query" && location !== "header") {
      throw new OpenApiError(
        "invalid",
        `${label}: parameter "${name}" has unknown "in": ${location}.`,
        {
          pointer: at,
        },
      );
    }
    if (location === "header" && IGNORED_HEADERS.has(name.toLowerCase())) continue;
    const { schema, json } = parameterSchema(param, at, refs, label);
    const description = typeof param.description === "string" ? param.description.trim() : "";
    const style =
      typeof param.style === "string" ? param.style : location === "query" ? "form" : "simple";
    const entry: Entry = {
      name,
      in: location,
      schema: description && schema.description === undefined ? { ...schema, description } : schema,
      required: location === "path" || param.required === true,
      style,
      explode: typeof param.explode === "boolean" ? param.explode : style === "form",
      json,
    };
    // The operation's own parameter replaces the path item's of the same name and place.
    const key = `${location}:${name}`;
    const existing = byKey.get(key);
    if (existing !== undefined) entries[existing] = entry;
    else {
      byKey.set(key, entries.length);
      entries.push(entry);
    }
  }
  const pathNames = new Set(entries.filter((e) => e.in === "path").map((e) => e.name));
  for (const match of op.path.matchAll(/\{([^}]+)\}/g)) {
    if (!pathNames.has(match[1]!)) {
      throw new OpenApiError(
        "invalid",
        `${label}: the path has {${match[1]}} but no path parameter "${match[1]}" describes it: add one to the operation's parameters.`,
        { pointer: op.pointer },
      );
    }
  }
  const body = requestBody(op, refs, label, notes);
  if (body) entries.push(...body.entries);
  // Required arguments first, so the signature reads `f(pet_id, name, tag=None)` rather
  // than making the required ones after an optional one keyword-only.
  const ordered = [...entries.filter((e) => e.required), ...entries.filter((e) => !e.required)];
  return assemble(ordered, body?.contentType, notes);
}

function parameterSchema(
  param: Record<string, unknown>,
  at: string,
  refs: RefResolver,
  label: string,
): { schema: JsonSchema; json: boolean } {
  if (param.schema !== undefined)
    return { schema: refs.schema(param.schema, `${at}/schema`), json: false };
  if (isPlainObject(param.content)) {
    const [type, media] = Object.entries(param.content)[0] ?? [];
    if (type !== undefined && isJsonMediaType(type) && isPlainObject(media)) {
      return { schema: refs.schema(media.schema, `${at}/content`), json: true };
    }
    throw new OpenApiError(
      "unsupported",
      `${label}: parameter "${String(param.name)}" is described as ${String(type)} content; codemode sends parameters as text or JSON only.`,
      { pointer: at },
    );
  }
  return { schema: {}, json: false };
}

function requestBody(
  op: RawOperation,
  refs: RefResolver,
  label: string,
  notes: string[],
): { entries: Entry[]; contentType: string } | undefined {
  if (op.operation.requestBody === undefined) return undefined;
  if (op.method === "get" || op.method === "head") {
    // fetch cannot send one; the operation is still useful without it.
    notes.push(
      `Its request body is not offered (a ${op.method.toUpperCase()} request carries none).`,
    );
    return undefined;
  }
  const { value: body, pointer } = refs.follow(
    op.operation.requestBody,
    `${op.pointer}/requestBody`,
  );
  const content = isPlainObject(body.content) ? body.content : {};
  const types = Object.keys(content);
  const contentType =
    types.find((t) => t.toLowerCase() === "application/json") ?? types.find(isJsonMediaType);
  const required = body.required === true;
  if (contentType === undefined) {
    if (required || types.length === 0) {
      throw new OpenApiError(
        "unsupported",
        `${label} takes a ${types.join(" or ") || "body without a media type"} request body; ` +
          "codemode sends JSON bodies only, so the operation is left out. Call it from a " +
          "tool of your own, or leave it out with include.",
        { pointer: `${pointer}/content` },
      );
    }
    notes.push(`Its optional ${types.join(" or ")} request body is not offered.`);
    return undefined;
  }
  const media = content[contentType];
  const schema = refs.schema(isPlainObject(media) ? media.schema : undefined, `${pointer}/content`);
  const description = typeof body.description === "string" ? body.description.trim() : "";
  const spread = objectProperties(schema);
  const base = { style: "", explode: false, json: false };
  if (!spread) {
    const whole =
      description && schema.description === undefined ? { ...schema, description } : schema;
    return {
      contentType,
      entries: [{ ...base, name: "body", in: "body", schema: whole, required }],
    };
  }
  const entries: Entry[] = [];
  for (const [name, property] of Object.entries(spread.properties)) {
    // Properties the server sets itself (`readOnly`) are not the caller's to send.
    if (isPlainObject(property) && property.readOnly === true) continue;
    entries.push({
      ...base,
      name,
      in: "body-property",
      schema: withDefs(property, schema),
      required: required && spread.required.has(name),
    });
  }
  return { contentType, entries };
}

/**
 * The properties of an object body (following a `$ref` into `$defs`, merging an `allOf`
 * of objects), or undefined when the body is not one plain object.
 */
function objectProperties(
  schema: JsonSchema,
): { properties: Record<string, unknown>; required: Set<string> } | undefined {
  const defs = isPlainObject(schema.$defs) ? schema.$defs : {};
  const resolve = (s: unknown, depth = 0): Record<string, unknown> | undefined => {
    if (!isPlainObject(s) || depth > 8) return undefined;
    if (typeof s.$ref === "string" && s.$ref.startsWith("#/$defs/")) {
      return resolve(defs[s.$ref.slice(8)], depth + 1);
    }
    return s;
  };
  const top = resolve(schema);
  if (!top || top.anyOf || top.oneOf || top.not) return undefined;
  const type = top.type;
  if (type !== undefined && type !== "object") return undefined;
  const members = Array.isArray(top.allOf) ? [top, ...top.allOf.map((m) => resolve(m))] : [top];
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  for (const member of members) {
    if (!member || member.anyOf || member.oneOf) return undefined;
    if (member !== top && Array.isArray(member.allOf)) return undefined;
    if (isPlainObject(member.properties)) Object.assign(properties, member.properties);
    if (Array.isArray(member.required)) {
      for (const r of member.required) if (typeof r === "string") required.add(r);
    }
  }
  return Object.keys(properties).length > 0 ? { properties, required } : undefined;
}

/** A property schema of `parent`, carrying the parent's `$defs` it may refer to. */
function withDefs(property: unknown, parent: JsonSchema): JsonSchema {
  const schema = isPlainObject(property) ? property : {};
  return isPlainObject(parent.$defs) ? { ...schema, $defs: parent.$defs } : schema;
}

/** Python names for the entries, and one object schema with every `$defs` lifted to the top. */
function assemble(
  entries: Entry[],
  contentType: string | undefined,
  notes: string[],
): OperationInput {
  // A name used twice (a path `id` and a body `id`) keeps it the first time, then gets its place.
  const seen = new Set<string>();
  const keys = entries.map((e) => {
    const key = seen.has(e.name) ? `${e.name}_${e.in === "body-property" ? "body" : e.in}` : e.name;
    seen.add(key);
    return key;
  });
  const back = pythonParameterNames(keys);
  const forward = new Map([...back].map(([python, key]) => [key, python]));
  const defs: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  const bindings: ArgumentBinding[] = [];
  const renamed: string[] = [];
  entries.forEach((entry, i) => {
    const python = forward.get(keys[i]!)!;
    const { $defs, ...schema } = entry.schema;
    if (isPlainObject($defs)) Object.assign(defs, $defs);
    properties[python] = schema;
    if (entry.required) required.push(python);
    bindings.push({
      python,
      name: entry.name,
      in: entry.in,
      style: entry.style,
      explode: entry.explode,
      json: entry.json,
    });
    if (python !== entry.name && entry.in !== "body") {
      const where = entry.in === "body-property" ? "body property" : `${entry.in} parameter`;
      renamed.push(`${python} (${where} "${entry.name}")`);
    }
  });
  if (renamed.length > 0) notes.unshift(`Arguments renamed for Python: ${renamed.join(", ")}.`);
  const inputSchema: JsonSchema = {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  };
  return { inputSchema, bindings, ...(contentType ? { contentType } : {}), notes };
}
