import { defineEntry } from "../define-entry.js";
import { ValueConversionError } from "../errors.js";

/**
 * Values crossing the sandbox boundary. Monty hands Python values to JS as Maps,
 * tagged arrays and tagged objects, and it revives tagged objects coming back in
 * (`{ __monty_type__: "Exception" }` becomes a real exception). So:
 * - `fromPython` turns what Python produced into plain JS for the host;
 * - `toPython` turns host values (tool results, inputs) into values Monty takes
 *   safely, stripping every marker key so a tool cannot forge a Python object;
 * - `toJsonSafe` makes a record of any value that `JSON.stringify` can always write.
 */

/** Deeper nesting than this is refused: very deep values crash native serializers. */
export const MAX_VALUE_DEPTH = 200;

const MARKER_KEYS = new Set(["__monty_type__", "__tuple__"]);
const TWO_TO_63 = 2 ** 63;

/** How a Python exception object appears in a plain-JS value (e.g. a `parallel_map` slot). */
export interface PythonExceptionValue {
  error: { type: string; message: string };
}

/**
 * Python value (as Monty hands it over) -> plain JS.
 * dict -> object, list/tuple/set -> array, bytes -> Uint8Array, big int -> bigint,
 * date/datetime -> ISO 8601 string, timedelta -> seconds (number),
 * exception object -> `{ error: { type, message } }`.
 */
export function fromPython(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  const kind = typeof value;
  if (kind === "string" || kind === "number" || kind === "boolean" || kind === "bigint") {
    return value;
  }
  if (depth > MAX_VALUE_DEPTH) {
    throw new ValueConversionError(`value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof Map) {
    const entries: [string, unknown][] = [];
    for (const [k, v] of value) entries.push([pythonKeyToString(k), fromPython(v, depth + 1)]);
    return Object.fromEntries(entries);
  }
  if (value instanceof Set) return Array.from(value, (v) => fromPython(v, depth + 1));
  if (Array.isArray(value)) return value.map((v) => fromPython(v, depth + 1));
  if (kind === "object") {
    const obj = value as Record<string, unknown>;
    const tag = obj.__monty_type__;
    if (typeof tag === "string") return fromTaggedObject(tag, obj, depth);
    const out: [string, unknown][] = [];
    for (const [k, v] of Object.entries(obj)) out.push([k, fromPython(v, depth + 1)]);
    return Object.fromEntries(out);
  }
  return String(value);
}

function pythonKeyToString(key: unknown): string {
  if (typeof key === "string") return key;
  if (key === null || key === undefined) return "None";
  if (typeof key === "boolean") return key ? "True" : "False";
  if (Array.isArray(key)) return JSON.stringify(toJsonSafe(fromPython(key)));
  return String(key);
}

const pad = (n: unknown, width = 2) => String(n ?? 0).padStart(width, "0");

function fromTaggedObject(tag: string, obj: Record<string, unknown>, depth: number): unknown {
  switch (tag) {
    case "Date":
      return `${pad(obj.year, 4)}-${pad(obj.month)}-${pad(obj.day)}`;
    case "DateTime": {
      const micro = Number(obj.microsecond ?? 0);
      const frac = micro ? `.${pad(micro, 6)}` : "";
      const base = `${pad(obj.year, 4)}-${pad(obj.month)}-${pad(obj.day)}T${pad(obj.hour)}:${pad(obj.minute)}:${pad(obj.second)}${frac}`;
      return base + utcOffsetSuffix(obj);
    }
    case "TimeDelta":
      return (
        Number(obj.days ?? 0) * 86_400 +
        Number(obj.seconds ?? 0) +
        Number(obj.microseconds ?? 0) / 1e6
      );
    case "Exception":
      return {
        error: { type: String(obj.excType ?? "Exception"), message: String(obj.message ?? "") },
      } satisfies PythonExceptionValue;
    default: {
      const out: [string, unknown][] = [["type", tag]];
      for (const [k, v] of Object.entries(obj)) {
        if (!MARKER_KEYS.has(k)) out.push([k, fromPython(v, depth + 1)]);
      }
      return Object.fromEntries(out);
    }
  }
}

function utcOffsetSuffix(obj: Record<string, unknown>): string {
  // Aware datetimes carry an offset in seconds under one of these names; naive ones none.
  const raw = obj.offsetSeconds ?? obj.utcOffsetSeconds ?? obj.tzOffsetSeconds;
  if (typeof raw !== "number") return "";
  if (raw === 0) return "Z";
  const sign = raw < 0 ? "-" : "+";
  const abs = Math.abs(raw);
  return `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
}

/**
 * Host value -> a value Monty can take without surprises. Throws
 * `ValueConversionError` (naming the path) for functions, symbols, cycles and
 * excessive depth. `undefined` -> None, Date -> ISO string, Map -> dict, Set -> list,
 * Uint8Array/ArrayBuffer -> bytes, objects with `toJSON` -> their JSON form, Error ->
 * `{ type, message }`. Marker keys are dropped everywhere.
 */
export function toPython(value: unknown, path = "value"): unknown {
  return convertToPython(value, path, 0, new Set());
}

function convertToPython(value: unknown, path: string, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case "undefined":
      return null;
    case "number":
      // Monty saturates the double 2^63 to 2^63 - 1 (it passes its "fits in i64" check).
      return value === TWO_TO_63 ? 2n ** 63n : value;
    case "string":
    case "boolean":
    case "bigint":
      return value;
    case "function":
      throw new ValueConversionError(`${path} is a function, which cannot be passed to Python`);
    case "symbol":
      throw new ValueConversionError(`${path} is a symbol, which cannot be passed to Python`);
  }
  if (value === null) return null;
  if (depth > MAX_VALUE_DEPTH) {
    throw new ValueConversionError(`${path} is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  const obj = value as object;
  if (obj instanceof Date) {
    return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  }
  if (obj instanceof Uint8Array) return Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength);
  if (obj instanceof ArrayBuffer) return Buffer.from(obj);
  if (ArrayBuffer.isView(obj)) {
    return Array.from(obj as unknown as ArrayLike<number>);
  }
  if (seen.has(obj)) {
    throw new ValueConversionError(
      `${path} refers back to itself (a cycle), which Python cannot hold`,
    );
  }
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return obj.map((v, i) => convertToPython(v, `${path}[${i}]`, depth + 1, seen));
    }
    if (obj instanceof Set) {
      return Array.from(obj, (v, i) => convertToPython(v, `${path}[${i}]`, depth + 1, seen));
    }
    if (obj instanceof Map) {
      const out: Record<string, unknown> = {};
      let nulKey = false;
      for (const [k, v] of obj) {
        const key = String(k);
        if (MARKER_KEYS.has(key)) continue;
        nulKey ||= key.includes("\u0000");
        defineEntry(
          out,
          key,
          convertToPython(v, `${path}[${JSON.stringify(key)}]`, depth + 1, seen),
        );
      }
      return nulKey ? nulSafeDict(out) : out;
    }
    if (obj instanceof Error) {
      return { type: obj.name, message: obj.message };
    }
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      return convertToPython(toJSON.call(obj), path, depth + 1, seen);
    }
    const out: Record<string, unknown> = {};
    let nulKey = false;
    for (const [key, v] of Object.entries(obj)) {
      if (MARKER_KEYS.has(key)) continue;
      nulKey ||= key.includes("\u0000");
      defineEntry(out, key, convertToPython(v, `${path}.${key}`, depth + 1, seen));
    }
    return nulKey ? nulSafeDict(out) : out;
  } finally {
    seen.delete(obj);
  }
}

/**
 * Monty reads a plain object's keys as C strings and refuses the whole value when one holds
 * a NUL character; a `Map` carries its keys as values, so the dict arrives intact. The
 * callers note such a key while they copy, so ordinary objects pay no second pass.
 */
function nulSafeDict(out: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(out));
}

/**
 * Any value -> data `JSON.stringify` always writes and that survives structured clone.
 * Never throws: cycles become "[Circular]", functions "[Function name]", bigint a number
 * when exact else a decimal string, bytes `{ bytes_base64 }`, too-deep values "[Too deep]".
 */
export function toJsonSafe(value: unknown): unknown {
  return jsonSafe(value, 0, new Set());
}

function jsonSafe(value: unknown, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case "undefined":
      return null;
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "function":
      return `[Function ${(value as { name?: string }).name || "anonymous"}]`;
    case "symbol":
      return String(value);
  }
  if (value === null) return null;
  if (depth > MAX_VALUE_DEPTH) return "[Too deep]";
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (obj instanceof Uint8Array) {
    return {
      bytes_base64: Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString("base64"),
    };
  }
  if (seen.has(obj)) return "[Circular]";
  seen.add(obj);
  try {
    if (Array.isArray(obj) || obj instanceof Set) {
      return Array.from(obj as Iterable<unknown>, (v) => jsonSafe(v, depth + 1, seen));
    }
    if (obj instanceof Error) return { type: obj.name, message: obj.message };
    const entries: Iterable<[unknown, unknown]> =
      obj instanceof Map ? obj.entries() : Object.entries(obj);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) defineEntry(out, String(k), jsonSafe(v, depth + 1, seen));
    return out;
  } catch {
    return "[Unreadable]";
  } finally {
    seen.delete(obj);
  }
}

/**
 * Size of a value as JSON, in UTF-8 bytes, counted without building the string and
 * stopping early once past `cap` (returns a number > cap then; this also ends cycles).
 */
export function jsonByteSize(value: unknown, cap = 2 ** 31): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    if (total > cap) return total;
    const v = stack.pop();
    switch (typeof v) {
      case "string":
        total += Buffer.byteLength(v) + 2;
        continue;
      case "number":
      case "bigint":
        total += String(v).length;
        continue;
      case "boolean":
        total += v ? 4 : 5;
        continue;
      case "object":
        break;
      default:
        total += 4;
        continue;
    }
    if (v === null) {
      total += 4;
      continue;
    }
    if (v instanceof Uint8Array) {
      total += Math.ceil(v.byteLength / 3) * 4 + 2;
      continue;
    }
    if (Array.isArray(v) || v instanceof Set) {
      total += 2;
      for (const item of v as Iterable<unknown>) {
        total += 1;
        stack.push(item);
      }
      continue;
    }
    total += 2;
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
    for (const [k, item] of entries) {
      total += Buffer.byteLength(String(k)) + 4;
      stack.push(item);
    }
  }
  return total;
}
