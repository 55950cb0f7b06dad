/**
 * Every `type` a failed run can carry (`ExecutionError.type`), in one place. A program's
 * own exception keeps its Python name (Monty has no `class`, so only builtin exceptions
 * exist); a run that codemode ended for a reason outside the program's Python gets one of
 * codemode's names, and one that a limit ended also says which limit (`limit`).
 */
import type { Limits } from "./limits.js";

/**
 * Python's builtin exceptions, and the few module exceptions Monty implements (`json`,
 * `re`, `dataclasses`): what a program's own failure (`raise`, a bad index, a tool's
 * error it did not catch) is reported as.
 */
export type PythonExceptionType =
  | "ArithmeticError"
  | "AssertionError"
  | "AttributeError"
  | "BaseException"
  | "BlockingIOError"
  | "BrokenPipeError"
  | "BufferError"
  | "ChildProcessError"
  | "ConnectionAbortedError"
  | "ConnectionError"
  | "ConnectionRefusedError"
  | "ConnectionResetError"
  | "EOFError"
  | "Exception"
  | "FileExistsError"
  | "FileNotFoundError"
  | "FloatingPointError"
  | "FrozenInstanceError"
  | "GeneratorExit"
  | "ImportError"
  | "IndentationError"
  | "IndexError"
  | "InterruptedError"
  | "IsADirectoryError"
  | "JSONDecodeError"
  | "KeyError"
  | "KeyboardInterrupt"
  | "LookupError"
  | "MemoryError"
  | "ModuleNotFoundError"
  | "NameError"
  | "NotADirectoryError"
  | "NotImplementedError"
  | "OSError"
  | "OverflowError"
  | "PatternError"
  | "PermissionError"
  | "ProcessLookupError"
  | "RecursionError"
  | "ReferenceError"
  | "RuntimeError"
  | "StopAsyncIteration"
  | "StopIteration"
  | "SyntaxError"
  | "SystemError"
  | "SystemExit"
  | "TabError"
  | "TimeoutError"
  | "TypeError"
  | "UnboundLocalError"
  | "UnicodeDecodeError"
  | "UnicodeEncodeError"
  | "UnicodeError"
  | "UnicodeTranslateError"
  | "ValueError"
  | "ZeroDivisionError";

/**
 * A limit ended the run; `ExecutionError.limit` names it. `TimeoutError`, `MemoryError`
 * and `RecursionError` are Python names too: with `limit` set they mean the run's limit
 * (`timeoutMs`; `maxMemoryBytes` or `maxAllocations`; `maxRecursionDepth`), without it a
 * program's or a tool's own error.
 */
export type LimitErrorType =
  | "TimeoutError"
  | "MemoryError"
  | "RecursionError"
  | "SourceTooLargeError"
  | "ToolCallLimitError"
  | "ToolArgumentsTooLargeError"
  | "ToolResultTooLargeError"
  | "ResultTooLargeError";

/** codemode ended or refused the run for a reason that is not a limit. */
export type RunErrorType =
  /** The run's AbortSignal fired. */
  | "CancelledError"
  /** The sandbox could not start, load or continue the program, or its pool was closed. */
  | "SandboxError"
  /** The sandbox process died (a native crash) during the run. */
  | "SandboxCrashError"
  /** With `typeCheck: true`: the program failed its type check; nothing ran. */
  | "TypeCheckError"
  /** A tool call needs a human's approval and no approval hook decided it. */
  | "ApprovalRequired"
  /** The agent's `onProgram` review refused the program; nothing ran. */
  | "ProgramRejected";

/** What `ExecutionError.type` can be. */
export type ExecutionErrorType = PythonExceptionType | LimitErrorType | RunErrorType;

/** The name of a limit (a key of `limits`), as `ExecutionError.limit` gives it. */
export type LimitName = keyof Limits;

/**
 * An exception name as Monty reports it (its type is `string`), taken as the Python
 * exception it is: Monty raises only builtin exceptions.
 */
export function pythonExceptionType(name: string): PythonExceptionType {
  return name as PythonExceptionType;
}
