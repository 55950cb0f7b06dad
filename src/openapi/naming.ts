/**
 * Tool names for operations: the `operationId` in snake_case (`getOrder` -> `get_order`),
 * else the method and the path (`GET /orders/{orderId}` -> `get_orders_by_order_id`).
 * Clashes are settled by the same rule as MCP tool names: the operation that wanted
 * exactly that spelling keeps it, the others (sorted by operationId or `METHOD /path`)
 * get `_2`, `_3`, ...
 */
import { settleToolNames, type ToolRename } from "../tools/python/names.js";

/** `getOrderByID` -> `get_order_by_id`, `pets.list` -> `pets_list`, `X-Rate` -> `x_rate`. */
export function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** `get`, `/orders/{orderId}/items` -> `get_orders_by_order_id_items`; `/` -> `get_root`. */
export function methodPathName(method: string, path: string): string {
  const parts = path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => {
      const param = /^\{([^}]+)\}$/.exec(segment);
      return param ? `by_${snakeCase(param[1]!)}` : snakeCase(segment.replace(/\{[^}]*\}/g, ""));
    })
    .filter((part) => part !== "" && part !== "by_");
  return [method.toLowerCase(), ...(parts.length === 0 ? ["root"] : parts)].join("_");
}

/** What an operation is called in messages and in `include`: its operationId, else `GET /path`. */
export function operationKey(
  method: string,
  path: string,
  operationId: string | undefined,
): string {
  return operationId ?? `${method.toUpperCase()} ${path}`;
}

export interface NamedOperation {
  readonly method: string;
  readonly path: string;
  readonly operationId?: string | undefined;
}

/** `GET /pets/{petId}`: unique within a document, whatever its operationIds say. */
export function methodAndPath(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/**
 * Python names for `operations`, keyed by `methodAndPath`. `prefix` is prepended with an
 * underscore; `taken` holds names other tools use.
 */
export function operationToolNames(
  operations: readonly NamedOperation[],
  prefix: string | undefined,
  taken: Iterable<string> = [],
): { names: Map<string, string>; renamed: ToolRename[] } {
  const requests = operations.map((op) => {
    const base = op.operationId ? snakeCase(op.operationId) : "";
    const name = base === "" ? methodPathName(op.method, op.path) : base;
    return {
      key: methodAndPath(op.method, op.path),
      wanted: prefix ? `${prefix}_${name}` : name,
    };
  });
  return settleToolNames(requests, new Set(taken), (key) => `operation "${key}"`);
}
