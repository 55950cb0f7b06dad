/**
 * Every exception the sandbox's runtime raises and catches passes the type check too:
 * Monty 0.0.18's checker does not know PermissionError and eight others, so a program that
 * catches one (as a denied approval is caught) would otherwise never run.
 */
import { execute, type Isolation } from "codemode";
import { describe, expect, it } from "vitest";

/** The builtin exceptions Monty 0.0.18 knows at run time (measured). */
const RUNTIME_EXCEPTIONS = [
  "ArithmeticError",
  "AssertionError",
  "AttributeError",
  "BaseException",
  "Exception",
  "FileExistsError",
  "FileNotFoundError",
  "ImportError",
  "IndexError",
  "IsADirectoryError",
  "KeyError",
  "KeyboardInterrupt",
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
  "SyntaxError",
  "SystemExit",
  "TimeoutError",
  "TypeError",
  "UnboundLocalError",
  "UnicodeDecodeError",
  "ValueError",
  "ZeroDivisionError",
];

describe.each<Isolation>(["in-process", "process"])(
  "exceptions under the type check (%s)",
  (isolation) => {
    it.each(RUNTIME_EXCEPTIONS)("raises and catches %s in a type-checked program", async (name) => {
      const code = `try:\n    raise ${name}("boom")\nexcept ${name} as e:\n    caught = "${name}"\ncaught`;
      const result = await execute(code, { typeCheck: true, isolation });
      expect(result).toMatchObject({ ok: true, value: name });
    });

    it("knows PermissionError is an OSError", async () => {
      const code =
        'try:\n    raise PermissionError("denied")\nexcept OSError as e:\n    r = str(e)\nr';
      expect(await execute(code, { typeCheck: true, isolation })).toMatchObject({
        ok: true,
        value: "denied",
      });
    });
  },
);
