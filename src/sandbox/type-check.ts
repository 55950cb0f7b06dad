/**
 * Static type checking of a program against the stubs of its tools (Monty ships the
 * `ty` checker). A misspelt tool, a wrong argument type or count, an unknown keyword or a
 * misspelt key of a tool's result is caught before any tool runs, so no side effect
 * happens for a program that was bound to fail.
 *
 * ty also reports what only *may* fail (a value that may be `None`, a dict literal's type
 * inferred too narrowly for the keys added later, an argument to a builtin): Python runs
 * such programs, and models write them all the time. Only diagnostics that are certain
 * stop a program (`certainDiagnostic`); the rest let it run, and Python itself reports
 * what really fails, with its line.
 */
import { monty, type NativeMonty } from "./monty.js";
import { splitTopLevel } from "./type-text.js";

export interface TypeDiagnostic {
  /** 1-based line in the program. */
  line: number;
  column: number;
  /** The checker's rule, e.g. `invalid-argument-type`. */
  code: string;
  message: string;
}

interface JsonDiagnostic {
  code?: string;
  message?: string;
  severity?: string;
  location?: { row?: number; column?: number };
  end_location?: { row?: number; column?: number };
}

/**
 * Declarations for the checker only, placed before the tools' stub:
 * - exceptions Monty 0.0.18 raises and catches at run time that its checker does not know
 *   (without them `except PermissionError:`, how a denied approval is caught, fails as an
 *   undefined name), with CPython's bases;
 * - builtins the sandbox has that the checker does not know (`next`, `iter`, `map`,
 *   `filter`, `getattr`, `hasattr`, `setattr`), so a program using them is not stopped for
 *   an undefined name.
 */
const CHECKER_PRELUDE = `from typing import Any as _Any, Callable as _Callable, Iterable as _Iterable, Iterator as _Iterator, TypeVar as _TypeVar, overload as _overload
class ImportError(Exception): ...
class ModuleNotFoundError(ImportError): ...
class FileExistsError(OSError): ...
class FileNotFoundError(OSError): ...
class IsADirectoryError(OSError): ...
class NotADirectoryError(OSError): ...
class PermissionError(OSError): ...
class UnboundLocalError(NameError): ...
class UnicodeDecodeError(ValueError): ...
_T = _TypeVar("_T")
_S = _TypeVar("_S")
def iter(obj: _Iterable[_T], /) -> _Iterator[_T]: raise NotImplementedError
@_overload
def next(it: _Iterator[_T], /) -> _T: ...
@_overload
def next(it: _Iterator[_T], default: _S, /) -> _T | _S: ...
def next(it: _Any, default: _Any = None, /) -> _Any: raise NotImplementedError
def map(func: _Callable[..., _S], *iterables: _Iterable[_Any]) -> _Iterator[_S]: raise NotImplementedError
def filter(func: _Any, iterable: _Iterable[_T], /) -> _Iterator[_T]: raise NotImplementedError
def getattr(obj: object, name: str, default: _Any = None, /) -> _Any: raise NotImplementedError
def hasattr(obj: object, name: str, /) -> bool: raise NotImplementedError
def setattr(obj: object, name: str, value: _Any, /) -> None: raise NotImplementedError
`;

/**
 * Type-checks `code` with `stub` (Python declarations of the tools) placed before it.
 * Returns the diagnostics that stop the program (empty when it may run), lines relative to
 * `code`; with `all`, every error the checker reported. Syntax errors are not reported
 * here: running the program reports them with their line.
 */
export function typeCheckProgram(
  code: string,
  stub: string,
  options: { all?: boolean } = {},
): TypeDiagnostic[] {
  // Monty joins prefix and code with a newline: the code starts one line after the prefix.
  const prefix = CHECKER_PRELUDE + stub;
  const offset = countNewlines(prefix) + 1;
  const created = monty.Monty.create(code, { scriptName: "main.py" });
  if (created instanceof monty.MontyException || created instanceof monty.MontyTypingError)
    return [];
  const error = (created as NativeMonty).typeCheck(prefix);
  if (error === null) return [];
  let parsed: JsonDiagnostic[];
  try {
    parsed = JSON.parse(error.display("json")) as JsonDiagnostic[];
  } catch {
    return [{ line: 1, column: 1, code: "type-check", message: error.display("concise") }];
  }
  const context = options.all ? undefined : checkContext(code, stub);
  return parsed
    .filter((d) => d.severity === undefined || d.severity === "error")
    .filter((d) => context === undefined || certainDiagnostic(d, offset, context))
    .map((d) => ({
      line: Math.max(1, (d.location?.row ?? offset + 1) - offset),
      column: d.location?.column ?? 1,
      code: d.code ?? "type-check",
      message: explained(d, offset, stub, context),
    }));
}

/** The checker's message, with the mapped tool's signature when `parallel_map` matched none. */
function explained(
  d: JsonDiagnostic,
  offset: number,
  stub: string,
  context: CheckContext | undefined,
): string {
  const message = d.message ?? "type error";
  if (d.code !== "no-matching-overload" || context === undefined) return message;
  const name = mappedToolName(d, offset, context);
  const line = name && new RegExp(`^def (${name}\\(.*\\) -> .*):$`, "m").exec(stub)?.[1];
  return line
    ? `${message}: its keyword arguments go to every call of ${line}, which does not take one of them`
    : message;
}

/** `line 3: Argument to function `f` is incorrect: ... [invalid-argument-type]`, one per line. */
export function formatDiagnostics(diagnostics: readonly TypeDiagnostic[]): string {
  return diagnostics.map((d) => `line ${d.line}: ${d.message} [${d.code}]`).join("\n");
}

interface CheckContext {
  lines: string[];
  /** Functions the stub declares: the tools (and `parallel_map`). */
  tools: Set<string>;
  /** TypedDicts the stub declares: the shapes tools take and return. */
  typedDicts: Set<string>;
}

function checkContext(code: string, stub: string): CheckContext {
  return {
    lines: code.split("\n"),
    tools: new Set([...stub.matchAll(/^def ([A-Za-z_]\w*)\(/gm)].map((m) => m[1]!)),
    typedDicts: new Set(
      [
        ...stub.matchAll(/^(?:class ([A-Za-z_]\w*)\(TypedDict\)|([A-Za-z_]\w*) = TypedDict\()/gm),
      ].map((m) => (m[1] ?? m[2])!),
    ),
  };
}

/** Rules about the arguments of one call; certain when the callee is a tool. */
const CALL_RULES = new Set([
  "missing-argument",
  "unknown-argument",
  "too-many-positional-arguments",
  "parameter-already-assigned",
  "positional-only-parameter-as-kwarg",
]);

/**
 * Whether a diagnostic is certain to fail at run time, so the program must not start:
 * - `unresolved-reference`: a name that is defined nowhere (a misspelt or made-up tool);
 *   the sandbox's builtins the checker lacks are declared in `CHECKER_PRELUDE`;
 * - `invalid-key` when reading a key a tool's TypedDict does not have (writing one adds it);
 * - a call to a tool with a missing, unknown or extra argument;
 * - `invalid-argument-type` on a call to a tool when no value of the argument's type can be
 *   of the parameter's type (a `str` for an `int`, a literal outside a `Literal[...]`);
 *   `str | None` for a `str` may be right, and a list built from dicts for a list of
 *   TypedDicts usually is.
 * - `no-matching-overload` of `parallel_map(tool, ..., **kwargs)` naming the tool: a keyword
 *   the tool does not take (a wrong type of one is `invalid-argument-type`, as above);
 * - `unsupported-operator` between two plain values of one type each (`int + str`); with a
 *   union on either side (`int | None`) only some values fail.
 * Everything else (possibly-`None` values, literal types inferred too narrowly, calls to
 * builtins and methods, unknown imports) only may fail: the program runs.
 */
function certainDiagnostic(d: JsonDiagnostic, offset: number, context: CheckContext): boolean {
  const row = d.location?.row ?? 0;
  if (row <= offset) return false; // in the stub: not the program's fault
  const message = d.message ?? "";
  switch (d.code) {
    case "unresolved-reference":
      return true;
    case "invalid-key":
      return /for TypedDict `/.test(message) && !isAssignedKey(d, offset, context);
    case "invalid-argument-type":
      return calleeIsTool(message, context) && typesAreDisjoint(message, context);
    case "unsupported-operator":
      return scalarOperands(message, context);
    case "no-matching-overload":
      return /function `parallel_map`/.test(message) && mapsToolByName(d, offset, context);
    default:
      return CALL_RULES.has(d.code ?? "") && calleeIsTool(message, context);
  }
}

function calleeIsTool(message: string, context: CheckContext): boolean {
  const callee = /\bfunction `([A-Za-z_]\w*)`/.exec(message)?.[1];
  return callee !== undefined && context.tools.has(callee);
}

/**
 * The call at the diagnostic names a tool as `parallel_map`'s first argument (`get_orders` or
 * `"get_orders"`): the overloads for it say which keywords it takes, so none matching is
 * certain. A tool held in a variable may be any tool: not certain.
 */
function mapsToolByName(d: JsonDiagnostic, offset: number, context: CheckContext): boolean {
  return mappedToolName(d, offset, context) !== undefined;
}

function mappedToolName(
  d: JsonDiagnostic,
  offset: number,
  context: CheckContext,
): string | undefined {
  const start = d.location;
  if (start?.row === undefined || start.column === undefined) return undefined;
  const text = context.lines
    .slice(start.row - offset - 1)
    .join("\n")
    .slice(start.column - 1);
  const name = /^parallel_map\(\s*(["']?)([A-Za-z_]\w*)\1\s*[,)]/.exec(text)?.[2];
  return name !== undefined && name !== "parallel_map" && context.tools.has(name)
    ? name
    : undefined;
}

/** `row["new"] = value`: the key is written (a dict gains it), not read. */
function isAssignedKey(d: JsonDiagnostic, offset: number, context: CheckContext): boolean {
  const end = d.end_location;
  if (end?.row === undefined || end.column === undefined) return false;
  const line = context.lines[end.row - offset - 1] ?? "";
  return /^\s*\]\s*=(?!=)/.test(line.slice(end.column - 1));
}

/** What a type's values are, coarsely; `any` for what this does not model. */
type Kind = {
  kind: "str" | "number" | "bool" | "none" | "sequence" | "mapping" | "bytes" | "any";
  literals?: string[];
};

/** `Expected `X`, found `Y``: true when no member of Y can be a member of X. */
function typesAreDisjoint(message: string, context: CheckContext): boolean {
  const m = /Expected `(.+)`, found `(.+)`$/.exec(message);
  if (!m) return false;
  const expected = splitTopLevel(m[1]!, "|").map((t) => kindOf(t, context));
  const found = splitTopLevel(m[2]!, "|").map((t) => kindOf(t, context));
  return found.every((f) => expected.every((e) => disjoint(f, e)));
}

/** `... between objects of type `X` and `Y``: both a single str, number, bool or None. */
function scalarOperands(message: string, context: CheckContext): boolean {
  const m = /between objects of type `(.+)` and `(.+)`$/.exec(message);
  if (!m) return false;
  return [m[1]!, m[2]!].every((type) => {
    const members = splitTopLevel(type, "|");
    const kind = members.length === 1 ? kindOf(members[0]!, context).kind : "any";
    return kind === "str" || kind === "number" || kind === "bool" || kind === "none";
  });
}

function disjoint(a: Kind, b: Kind): boolean {
  if (a.kind === "any" || b.kind === "any") return false;
  if (a.kind !== b.kind) return true;
  if (a.literals && b.literals) return !a.literals.some((l) => b.literals!.includes(l));
  return false;
}

const SEQUENCES = /^(list|tuple|set|frozenset|Sequence|MutableSequence|AbstractSet|Set)\[/;
const MAPPINGS = /^(dict|Mapping|MutableMapping)\[/;

function kindOf(type: string, context: CheckContext): Kind {
  const t = type.trim();
  if (t.startsWith("Literal[") && t.endsWith("]")) {
    const values = splitTopLevel(t.slice(8, -1), ",").map((v) => v.trim());
    const kinds = new Set(values.map(literalKind));
    if (kinds.size !== 1) return { kind: "any" };
    const [kind] = kinds;
    return kind === "str" ? { kind, literals: values } : { kind: kind! };
  }
  if (t === "str" || t === "LiteralString") return { kind: "str" };
  if (t === "int" || t === "float") return { kind: "number" };
  if (t === "bool") return { kind: "bool" };
  if (t === "None") return { kind: "none" };
  if (t === "bytes") return { kind: "bytes" };
  if (SEQUENCES.test(t) || t === "list" || t === "tuple") return { kind: "sequence" };
  if (MAPPINGS.test(t) || t === "dict" || context.typedDicts.has(t)) return { kind: "mapping" };
  return { kind: "any" };
}

function literalKind(value: string): Kind["kind"] {
  if (/^["']/.test(value)) return "str";
  if (value === "True" || value === "False") return "bool";
  if (/^-?\d/.test(value)) return "number";
  if (value === "None") return "none";
  return "any";
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n += 1;
  return n;
}
