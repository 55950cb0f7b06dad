/**
 * Parameter names of a plain JS function, read from its source text. JavaScript keeps no
 * other record of them, and the model writes far better calls against `add(a, b)` than
 * against `add(arg0, arg1)`. Only the parameter list is scanned (never the body), and
 * anything unusual degrades to generic names instead of failing.
 */
import { isPythonIdentifier, suggestIdentifier } from "../python/names.js";

export interface ParsedParameter {
  /** A Python-safe name: the JS name, or a generic one for destructured parameters. */
  name: string;
  /** A rest parameter (`...xs`): collects the remaining positional arguments. */
  rest: boolean;
  /** The caller may leave it out (it has a default, or follows one that does). */
  optional: boolean;
  /** Present when the default is a simple literal, so Python can show it. */
  defaultValue?: { value: unknown };
}

/**
 * The parameters of `fn`, in order. When the source is not readable (native and bound
 * functions print as `[native code]`) the function takes `*args`: `fn.length` says too
 * little (e.g. Math.max has length 2 and takes any number of arguments).
 */
export function parseFunctionParameters(fn: (...args: never[]) => unknown): ParsedParameter[] {
  const source = Function.prototype.toString.call(fn);
  const list = source.includes("[native code]") ? undefined : parameterList(source);
  if (list === undefined) return [{ name: "args", rest: true, optional: true }];
  const used = new Set<string>();
  let optional = false;
  return list.map((text, index) => {
    const parsed = parseOne(text, index);
    // JS passes `undefined` for any trailing argument left out, so once one parameter is
    // optional, all later ones are as well (and Python needs them to have defaults).
    optional ||= parsed.optional;
    parsed.optional = optional || parsed.rest;
    parsed.name = unique(parsed.name, used);
    return parsed;
  });
}

/** True when the source is a class, which is not callable without `new`. */
export function isClassSource(fn: (...args: never[]) => unknown): boolean {
  return /^class\b/.test(Function.prototype.toString.call(fn));
}

function parseOne(raw: string, index: number): ParsedParameter {
  let text = raw.trim();
  if (text.startsWith("...")) {
    text = text.slice(3).trim();
    const name = /^[A-Za-z_$][\w$]*$/.test(text) ? pythonName(text) : "args";
    return { name, rest: true, optional: true };
  }
  const simple = /^([A-Za-z_$][\w$]*)\s*(?:=([\s\S]*))?$/.exec(text);
  if (simple) {
    const [, jsName = "", defaultText] = simple;
    return withDefault({ name: pythonName(jsName), rest: false, optional: false }, defaultText);
  }
  // Destructuring pattern (`{ a, b } = {}` or `[x, y]`): no single name to show.
  const eq = topLevelEquals(text);
  return withDefault(
    { name: `arg${index}`, rest: false, optional: false },
    eq === -1 ? undefined : text.slice(eq + 1),
  );
}

function withDefault(parameter: ParsedParameter, defaultText: string | undefined): ParsedParameter {
  if (defaultText === undefined) return parameter;
  parameter.optional = true;
  const literal = simpleLiteral(defaultText.trim());
  if (literal) parameter.defaultValue = literal;
  return parameter;
}

/** `1`, `-2.5`, `"x"`, `'x'`, `true`, `null`, `[]`, `{}` and JSON-shaped arrays/objects. */
function simpleLiteral(text: string): { value: unknown } | undefined {
  if (text === "true") return { value: true };
  if (text === "false") return { value: false };
  if (text === "null") return { value: null };
  // `= undefined` is the same as no default.
  if (text === "undefined") return undefined;
  const number = text.replace(/_/g, "");
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(number) || /^0[xob][\da-f]+$/i.test(number)) {
    const value = Number(number);
    return Number.isFinite(value) ? { value } : undefined;
  }
  const quote = text[0];
  if ((quote === "'" || quote === "`") && text.endsWith(quote) && text.length >= 2) {
    const inner = text.slice(1, -1);
    const plain = !/[\\'"`]/.test(inner) && !inner.includes("${");
    return plain ? { value: inner } : undefined;
  }
  if (quote === '"' || quote === "[" || quote === "{") {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function pythonName(jsName: string): string {
  return isPythonIdentifier(jsName) ? jsName : suggestIdentifier(jsName);
}

function unique(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${name}_${n}`;
  used.add(candidate);
  return candidate;
}

/**
 * The top-level, comma-separated parameter texts of a function's source (comments
 * removed), or undefined when the header is not recognised.
 */
function parameterList(source: string): string[] | undefined {
  let i = skipSpace(source, 0);
  if (/^class\b/.test(source.slice(i))) return undefined;
  const asyncMatch = /^async\b/.exec(source.slice(i));
  if (asyncMatch) {
    const after = skipSpace(source, i + 5);
    // `async => 1` is an arrow function with a parameter named `async`.
    if (!source.startsWith("=>", after)) i = after;
  }
  const single = /^([A-Za-z_$][\w$]*)\s*=>/.exec(source.slice(i));
  if (single?.[1] && single[1] !== "function") return [single[1]];
  const open = findOpenParen(source, i);
  return open === -1 ? undefined : splitParameters(source, open);
}

/** Index of the `(` opening the parameter list, skipping `[computed]` and quoted names. */
function findOpenParen(source: string, from: number): number {
  let depth = 0;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'") i = skipString(source, i);
    else if (c === "/" && (source[i + 1] === "/" || source[i + 1] === "*"))
      i = skipComment(source, i);
    else if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "(" && depth === 0) return i;
    else if ((c === "{" || c === "=") && depth === 0) return -1;
  }
  return -1;
}

function splitParameters(source: string, open: number): string[] | undefined {
  const parts: string[] = [];
  let current = "";
  // Open brackets and template literals; `}` closes a `${` only when it is on top.
  const stack: string[] = [];
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i]!;
    const top = stack[stack.length - 1];
    if (top === "`") {
      current += c;
      if (c === "\\") current += source[++i] ?? "";
      else if (c === "`") stack.pop();
      else if (c === "$" && source[i + 1] === "{") {
        current += "{";
        i++;
        stack.push("${");
      }
      continue;
    }
    if (c === '"' || c === "'") {
      const end = skipString(source, i);
      current += source.slice(i, end + 1);
      i = end;
    } else if (c === "/" && (source[i + 1] === "/" || source[i + 1] === "*")) {
      i = skipComment(source, i);
      current += " ";
    } else if (c === "`") {
      stack.push("`");
      current += c;
    } else if (c === "(" || c === "[" || c === "{") {
      stack.push(c);
      current += c;
    } else if (c === ")" || c === "]" || c === "}") {
      if (stack.length === 0) {
        if (c !== ")") return undefined;
        parts.push(current);
        // A trailing comma leaves an empty last part.
        return parts.filter((p) => p.trim() !== "");
      }
      stack.pop();
      current += c;
    } else if (c === "," && stack.length === 0) {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  return undefined;
}

/** Index of a default's `=` at depth 0 (not `==`, `=>`, `<=`, `>=` or `!=`), or -1. */
function topLevelEquals(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") i = skipString(text, i);
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "=" && depth === 0) {
      const next = text[i + 1];
      const prev = text[i - 1];
      if (
        next !== "=" &&
        next !== ">" &&
        prev !== "=" &&
        prev !== "!" &&
        prev !== "<" &&
        prev !== ">"
      ) {
        return i;
      }
    }
  }
  return -1;
}

/** Index of the closing quote of the string starting at `start`. */
function skipString(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === quote) return i;
  }
  return source.length;
}

/** Index of the last character of the comment starting at `start`. */
function skipComment(source: string, start: number): number {
  if (source[start + 1] === "/") {
    const end = source.indexOf("\n", start);
    return end === -1 ? source.length : end - 1;
  }
  const end = source.indexOf("*/", start + 2);
  return end === -1 ? source.length : end + 1;
}

function skipSpace(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    if (/\s/.test(source[i]!)) i++;
    else if (source[i] === "/" && (source[i + 1] === "/" || source[i + 1] === "*")) {
      i = skipComment(source, i) + 1;
    } else break;
  }
  return i;
}
