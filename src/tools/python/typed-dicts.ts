/**
 * TypedDicts for the objects tools take and return. A scope renders the hints of one tool
 * set: each object shape with known properties gets one deterministic, collision-free class
 * name and one declaration, which goes into both the prompt and the type-check stub. Monty's
 * checker (ty) then rejects `user["emial"]` on a `GetUserResult` with the line number,
 * before any tool runs.
 *
 * One class per shape: objects with the same keys, value types, required keys and
 * descriptions share a class, wherever they appear (`list_customers` and `get_customer`
 * returning one customer schema both name `ListCustomersResultItem`). The name is the
 * schema's own where it has one (a JSON Schema `title`, or its `$defs` key, which is where
 * Zod puts `.meta({ id: "Customer" })`), else the first name derived from where the shape
 * was met (`GetUserResult`, `CreateOrderParamsItemsItem`).
 *
 * Measured with @pydantic/monty 0.0.18: class syntax, the functional syntax (for keys that
 * are not identifiers), `NotRequired[...]`, recursive and forward references all check;
 * discriminated unions narrow on `r["kind"] == "a"`. `typing.TypedDict` cannot be imported
 * at run time, so these declarations live only in the stub and the prompt.
 */

import type { JsonSchema } from "../types.js";
import { isPythonIdentifier, PYTHON_KEYWORDS, RESERVED_TOOL_NAMES } from "./names.js";
import { pascalCase, pythonTypeHint, type TypedDictSink } from "./type-hints.js";

export interface TypedDictField {
  /** The dict key, exactly as in the schema. */
  readonly key: string;
  /** The value's Python hint (may name other TypedDicts of the scope). */
  readonly hint: string;
  readonly required: boolean;
  /** The property's description, on one line. */
  readonly description?: string;
}

export interface TypedDictDeclaration {
  readonly name: string;
  readonly fields: readonly TypedDictField[];
}

/** Names the stub imports from `typing`; a class must not take them. */
export const TYPING_NAMES: readonly string[] = [
  "Any",
  "Literal",
  "Mapping",
  "NotRequired",
  "Sequence",
  "TypedDict",
];

const MAX_COMMENT = 160;

/** Collects the TypedDicts of one tool set, in definition order (a class after its fields' classes). */
export class PythonTypeScope implements TypedDictSink {
  private readonly bySchema = new Map<object, string>();
  /** Class name per shape (`shapeKey` of its fields). */
  private readonly byShape = new Map<string, string>();
  /** Classes whose fields are being rendered, and those of them referred to meanwhile. */
  private readonly rendering = new Set<string>();
  private readonly recursive = new Set<string>();
  private readonly taken = new Set<string>();
  private readonly list: TypedDictDeclaration[] = [];

  /** `reserved`: names classes must avoid besides Python's (the tools' names). */
  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
    for (const name of [...TYPING_NAMES, ...RESERVED_TOOL_NAMES, ...PYTHON_KEYWORDS]) {
      this.taken.add(name);
    }
  }

  get declarations(): readonly TypedDictDeclaration[] {
    return this.list;
  }

  typedDict(schema: JsonSchema, name: string, root: unknown, rootName: string): string {
    const known = this.bySchema.get(schema);
    if (known !== undefined) {
      if (this.rendering.has(known)) this.recursive.add(known);
      return known;
    }
    const className = this.reserve(ownName(schema) ?? name);
    // Named before its fields are rendered, so a recursive reference finds it.
    this.bySchema.set(schema, className);
    this.rendering.add(className);
    const properties = schema.properties as Record<string, unknown>;
    const required = new Set(
      Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [],
    );
    const fields = Object.entries(properties).map(([key, property]): TypedDictField => {
      const hint = pythonTypeHint(property, root, {
        scope: this,
        name: `${className}${pascalCase(key) || "Field"}`,
        rootName,
      });
      const description = oneLine(
        typeof property === "object" && property !== null
          ? (property as { description?: unknown }).description
          : undefined,
      );
      return {
        key,
        hint,
        required: required.has(key),
        ...(description === undefined ? {} : { description }),
      };
    });
    this.rendering.delete(className);
    const shape = shapeKey(fields);
    const same = this.byShape.get(shape);
    // A class its own fields refer to keeps its name: those references are rendered already.
    if (same !== undefined && !this.recursive.has(className)) {
      this.taken.delete(className);
      this.bySchema.set(schema, same);
      return same;
    }
    this.byShape.set(shape, className);
    this.list.push(Object.freeze({ name: className, fields: Object.freeze(fields) }));
    return className;
  }

  /** The declarations as Python source, blank-line separated ("" when there are none). */
  source(): string {
    return this.list.map(typedDictSource).join("\n\n");
  }

  private reserve(suggested: string): string {
    // Suggested names are mostly built from PascalCase parts already.
    let base = /^[A-Z][A-Za-z0-9]*$/.test(suggested) ? suggested : pascalCase(suggested) || "Type";
    if (/^[0-9]/.test(base)) base = `T${base}`;
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}${n}`;
    this.taken.add(name);
    return name;
  }
}

/**
 * One declaration: class syntax when every key is an identifier, else the functional form
 * `Name = TypedDict("Name", {"first-name": str})`, which takes any string key.
 */
export function typedDictSource(declaration: TypedDictDeclaration): string {
  const { name, fields } = declaration;
  const value = (f: TypedDictField) => (f.required ? f.hint : `NotRequired[${f.hint}]`);
  const comment = (f: TypedDictField) => (f.description ? `  # ${f.description}` : "");
  if (fields.every((f) => isPythonIdentifier(f.key))) {
    const body = fields.map((f) => `    ${f.key}: ${value(f)}${comment(f)}`);
    return [`class ${name}(TypedDict):`, ...body].join("\n");
  }
  const body = fields.map((f) => `    ${JSON.stringify(f.key)}: ${value(f)},${comment(f)}`);
  return [`${name} = TypedDict(${JSON.stringify(name)}, {`, ...body, "})"].join("\n");
}

/** What makes two classes the same: every field's key, hint, requiredness and comment. */
function shapeKey(fields: readonly TypedDictField[]): string {
  return JSON.stringify(fields.map((f) => [f.key, f.hint, f.required, f.description ?? null]));
}

/** A schema's own name: its `title`, when that gives an identifier. */
function ownName(schema: JsonSchema): string | undefined {
  const title = typeof schema.title === "string" ? pascalCase(schema.title) : "";
  return title === "" ? undefined : title;
}

function oneLine(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const line = text.replace(/\s+/g, " ").trim();
  if (line === "") return undefined;
  return line.length > MAX_COMMENT ? `${line.slice(0, MAX_COMMENT - 1)}…` : line;
}
