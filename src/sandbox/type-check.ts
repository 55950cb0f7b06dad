/**
 * Static type checking of a program against the stubs of its tools (Monty ships the
 * `ty` checker). A wrong argument type or a misspelt tool is caught before any tool
 * runs, so no side effect happens for a program that was bound to fail.
 */
import { monty, type NativeMonty } from "./monty.js";

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
}

/**
 * Exceptions Monty 0.0.18 raises and catches at run time that its checker (`ty`) does not
 * know: without these, `except PermissionError:` (how a denied approval is caught) fails the
 * type check as an undefined name and the program never runs. Declared for the checker
 * only, with CPython's bases; the runtime has its own.
 */
const RUNTIME_EXCEPTIONS_STUB = `class ImportError(Exception): ...
class ModuleNotFoundError(ImportError): ...
class FileExistsError(OSError): ...
class FileNotFoundError(OSError): ...
class IsADirectoryError(OSError): ...
class NotADirectoryError(OSError): ...
class PermissionError(OSError): ...
class UnboundLocalError(NameError): ...
class UnicodeDecodeError(ValueError): ...
`;

/**
 * Type-checks `code` with `stub` (Python declarations of the tools) placed before it.
 * Returns the diagnostics (empty when the program checks), lines relative to `code`.
 * Syntax errors are not reported here: running the program reports them with their line.
 */
export function typeCheckProgram(code: string, stub: string): TypeDiagnostic[] {
  // Monty joins prefix and code with a newline: the code starts one line after the prefix.
  const prefix = RUNTIME_EXCEPTIONS_STUB + stub;
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
  return parsed
    .filter((d) => d.severity === undefined || d.severity === "error")
    .map((d) => ({
      line: Math.max(1, (d.location?.row ?? offset + 1) - offset),
      column: d.location?.column ?? 1,
      code: d.code ?? "type-check",
      message: d.message ?? "type error",
    }));
}

/** `line 3: Argument to function `f` is incorrect: ... [invalid-argument-type]`, one per line. */
export function formatDiagnostics(diagnostics: readonly TypeDiagnostic[]): string {
  return diagnostics.map((d) => `line ${d.line}: ${d.message} [${d.code}]`).join("\n");
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n += 1;
  return n;
}
