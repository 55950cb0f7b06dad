/**
 * The operations of a document, in document order: each path item's methods, with the
 * path item's own parameters and servers folded in. Nothing is converted here; a path item
 * that cannot be read is reported and left out.
 */
import { errorText } from "../error-text.js";
import { isPlainObject } from "../plain-object.js";
import { jsonPointer, OpenApiError } from "./errors.js";
import type { RefResolver } from "./refs.js";

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** One operation as the document gives it. */
export interface RawOperation {
  /** Lower case: `get`, `post`, ... */
  readonly method: string;
  readonly path: string;
  /** `#/paths/~1pets/get` */
  readonly pointer: string;
  readonly operation: Readonly<Record<string, unknown>>;
  /** The path item's parameters, then the operation's (the operation's win, per OpenAPI). */
  readonly parameters: readonly { value: unknown; pointer: string }[];
  /** The servers that apply: the operation's, else the path item's, else the document's. */
  readonly servers: readonly unknown[];
}

export interface OperationWalk {
  operations: RawOperation[];
  /** Path items that could not be read, and why. */
  failed: { pointer: string; error: OpenApiError }[];
}

export function documentOperations(
  document: Readonly<Record<string, unknown>>,
  refs: RefResolver,
): OperationWalk {
  const operations: RawOperation[] = [];
  const failed: OperationWalk["failed"] = [];
  const paths = isPlainObject(document.paths) ? document.paths : {};
  const rootServers = Array.isArray(document.servers) ? document.servers : [];
  for (const [path, rawItem] of Object.entries(paths)) {
    if (path.startsWith("x-")) continue;
    const itemPointer = jsonPointer("paths", path);
    let item: Record<string, unknown>;
    try {
      item = refs.follow(rawItem, itemPointer).value;
    } catch (error) {
      failed.push({ pointer: itemPointer, error: asOpenApiError(error, itemPointer) });
      continue;
    }
    const itemParameters = listAt(item.parameters, `${itemPointer}/parameters`);
    const itemServers =
      Array.isArray(item.servers) && item.servers.length > 0 ? item.servers : rootServers;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isPlainObject(operation)) continue;
      const pointer = jsonPointer("paths", path, method);
      const ownServers = Array.isArray(operation.servers) && operation.servers.length > 0;
      operations.push({
        method,
        path,
        pointer,
        operation,
        parameters: [...itemParameters, ...listAt(operation.parameters, `${pointer}/parameters`)],
        servers: ownServers ? (operation.servers as unknown[]) : itemServers,
      });
    }
  }
  return { operations, failed };
}

function listAt(value: unknown, pointer: string): { value: unknown; pointer: string }[] {
  return Array.isArray(value)
    ? value.map((v, i) => ({ value: v, pointer: `${pointer}/${i}` }))
    : [];
}

/** Any error while reading part of the document, as an OpenApiError about that part. */
export function asOpenApiError(error: unknown, pointer: string, operation?: string): OpenApiError {
  if (error instanceof OpenApiError) return error;
  return new OpenApiError("invalid", `${operation ?? pointer}: ${errorText(error)}`, {
    pointer,
    ...(operation ? { operation } : {}),
    cause: error,
  });
}
