/**
 * `execute(code, { typeCheck: true })`: the one place that type-checks a program against
 * the tools' stubs before it runs. A failing program ends as a TypeCheckError with its line,
 * and no tool runs; the agent, codeModeTool and the MCP server's run_python rely on it.
 */
import { defineTool, execute, type Isolation } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";

function makeTools() {
  const calls: string[] = [];
  const sendEmail = defineTool({
    name: "send_email",
    description: "Send an email.",
    parameters: z.object({ to: z.string(), subject: z.string() }),
    execute: ({ to }) => {
      calls.push(to);
      return { sent: true };
    },
  });
  const getUser = defineTool({
    name: "get_user",
    parameters: z.object({ id: z.number().int() }),
    returns: z.object({ id: z.number().int(), email: z.string() }),
    execute: ({ id }) => ({ id, email: `u${id}@example.com` }),
  });
  return { calls, tools: [sendEmail, getUser] };
}

describe.each<Isolation>(["process", "in-process"])(
  "execute() with typeCheck (%s)",
  (isolation) => {
    it("stops a program with a wrong argument before any tool runs, naming the line", async () => {
      const { calls, tools } = makeTools();
      const result = await execute(
        'send_email(to="a@example.com", subject="hi")\nsend_email(to="b@example.com", subject=3)',
        { tools, typeCheck: true, isolation },
      );
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.type).toBe("TypeCheckError");
      expect(result.error.line).toBe(2);
      expect(result.error.message).toMatch(/^Type check failed, nothing ran:\nline 2: /);
      expect(result.toolCalls).toEqual([]);
      expect(calls).toEqual([]); // the first, well-typed call did not run either
    });

    it("catches a misspelt TypedDict key of a tool's result", async () => {
      const { tools } = makeTools();
      const result = await execute('u = get_user(1)\nu["emial"]', {
        tools,
        typeCheck: true,
        isolation,
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ type: "TypeCheckError", line: 2 });
    });

    it("runs a well-typed program, and knows the inputs' names", async () => {
      const { calls, tools } = makeTools();
      const result = await execute(
        'for r in recipients:\n    send_email(to=r, subject="hi")\nlen(recipients)',
        { tools, typeCheck: true, isolation, inputs: { recipients: ["a@x.org", "b@x.org"] } },
      );
      expect(result).toMatchObject({ ok: true, value: 2 });
      expect(calls).toEqual(["a@x.org", "b@x.org"]);
    });

    it("is off by default: the same wrong program runs until Python itself fails", async () => {
      const { calls, tools } = makeTools();
      const result = await execute(
        'send_email(to="a@example.com", subject="hi")\nsend_email(to="b@example.com", subject=3)',
        { tools, isolation },
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.type).toBe("TypeError"); // the validator's, at run time
      expect(calls).toEqual(["a@example.com"]);
    });

    it("a cancelled run ends as CancelledError without running the program", async () => {
      const { calls, tools } = makeTools();
      const controller = new AbortController();
      controller.abort();
      const result = await execute('send_email(to="a@example.com", subject="hi")', {
        tools,
        typeCheck: true,
        isolation,
        signal: controller.signal,
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.type).toBe("CancelledError");
      expect(calls).toEqual([]);
    });
  },
);
