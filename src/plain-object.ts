/**
 * Object checks shared by every layer. Two questions, two functions: "is this a JSON
 * object node?" (any non-null, non-array object: a schema, a property map) and "is this a
 * dict?" (a plain object only, not a Map, Date or class instance).
 */

/** A non-null object that is not an array: a JSON Schema node, a property map. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A dict from Python: a plain object (not an array, Map, Date or class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
