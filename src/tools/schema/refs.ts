/**
 * Local `$ref`s inside one JSON Schema document, and the sub-schema at a value's path. The
 * one place that follows references: the validator, the Python hints and the issue wording
 * all resolve `#`, `#/$defs/Name` and `#/definitions/Name` alike. Other references (remote
 * documents, deeper JSON pointers) resolve to nothing, and every reader treats that as
 * "any value".
 */
import { isRecord } from "../../plain-object.js";

/** `#`, `#/$defs/Name` or `#/definitions/Name` inside `root`; undefined otherwise. */
export function resolveRef(ref: string, root: unknown): unknown {
  if (!isRecord(root)) return undefined;
  if (ref === "#") return root;
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
  if (!match) return undefined;
  const defs = root[match[1]!];
  let name: string;
  try {
    name = decodeURIComponent(match[2]!).replace(/~1/g, "/").replace(/~0/g, "~");
  } catch {
    return undefined;
  }
  return isRecord(defs) && Object.hasOwn(defs, name) ? defs[name] : undefined;
}

/** `schema` itself, or the target of its `$ref` (one level). */
export function deref(schema: unknown, root: unknown): unknown {
  return isRecord(schema) && typeof schema.$ref === "string"
    ? resolveRef(schema.$ref, root)
    : schema;
}

/** The sub-schema at `path`, looking through references, properties, items and union branches. */
export function schemaAt(root: unknown, path: readonly (string | number)[]): unknown {
  let schema: unknown = root;
  for (const key of path) {
    schema = step(schema, key, 0, root);
    if (schema === undefined) return undefined;
  }
  return schema;
}

function step(schema: unknown, key: string | number, depth: number, root: unknown): unknown {
  if (!isRecord(schema) || depth > 8) return undefined;
  if (typeof schema.$ref === "string")
    return step(resolveRef(schema.$ref, root), key, depth + 1, root);
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
    return isRecord(schema.items) ? schema.items : undefined;
  }
  const props = schema.properties;
  if (isRecord(props) && Object.hasOwn(props, key)) return props[key];
  return isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined;
}
