/**
 * Monty's `resume()` accepts only some builtin exception names (measured for 0.0.18);
 * anything else ends the run. `BaseException`, `KeyboardInterrupt` and `SystemExit`
 * are accepted but slip past `except Exception`, so tools never raise them.
 */
const RAISABLE = new Set([
  "ArithmeticError",
  "AssertionError",
  "AttributeError",
  "Exception",
  "FileExistsError",
  "FileNotFoundError",
  "ImportError",
  "IndexError",
  "IsADirectoryError",
  "KeyError",
  "LookupError",
  "MemoryError",
  "ModuleNotFoundError",
  "NameError",
  "NotADirectoryError",
  "NotImplementedError",
  "OSError",
  "OverflowError",
  "PermissionError",
  "RecursionError",
  "RuntimeError",
  "StopIteration",
  "TimeoutError",
  "TypeError",
  "UnboundLocalError",
  "UnicodeDecodeError",
  "ValueError",
  "ZeroDivisionError",
]);

/** The exception type to raise in Python for a wished-for name (unknown names -> RuntimeError). */
export function raisableExceptionType(name: string | undefined): string {
  return name !== undefined && RAISABLE.has(name) ? name : "RuntimeError";
}
