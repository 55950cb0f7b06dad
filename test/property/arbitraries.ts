/** fast-check generators shared by the property tests. */
import fc from "fast-check";

/** Keys codemode strips on purpose (Monty would revive them as Python objects). */
const MARKER_KEYS = new Set(["__monty_type__", "__tuple__"]);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Any JSON-compatible value: null, booleans, integers and finite doubles of every size,
 * full-Unicode strings, and nested arrays and objects (any key but the two marker keys).
 */
export function jsonValue(
  options: { stringUnit?: "grapheme" | "binary" } = {},
): fc.Arbitrary<Json> {
  const text = fc.string({ unit: options.stringUnit ?? "grapheme", maxLength: 20 });
  const key = text.filter((k) => !MARKER_KEYS.has(k));
  const scalar = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(2 ** 53, 2 ** 53 + 2, -(2 ** 63), 2 ** 63, 2 ** 64, 1e300, 5e-324),
    text,
  );
  const { value } = fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(tie("value"), { maxLength: 6 }),
      fc.dictionary(key, tie("value"), { maxKeys: 6 }),
    ),
  }));
  return value;
}

/**
 * A value as Python hands it back, in the JSON form it stands for: integers past 2^53
 * arrive as exact `bigint`s and are turned back into the number they equal (failing if
 * that loses anything), so a round trip can be compared with `toEqual`.
 */
export function normalizeFromPython(value: unknown): unknown {
  if (typeof value === "bigint") {
    const n = Number(value);
    if (BigInt(n) !== value) throw new Error(`${value} is not exactly a double`);
    return n;
  }
  if (Array.isArray(value)) return value.map(normalizeFromPython);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: normalizeFromPython(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** What a JSON value is after `JSON.stringify`/`parse` (-0 is 0), with lone surrogates made U+FFFD. */
export function jsonNormalForm(value: Json): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === "string" ? v.replace(LONE_SURROGATE, "\uFFFD") : v,
  );
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A Python literal for a JSON value (strings use JSON escapes, which Python also reads). */
export function pythonLiteral(value: Json): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) < 1e21) return BigInt(value).toString();
    const text = String(value);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  const entries = Object.entries(value).map(
    ([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`,
  );
  return `{${entries.join(", ")}}`;
}
