import { defineTool, execute, type Isolation } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectError } from "../helpers/results.js";

const echo = defineTool({
  name: "echo",
  description: "Return the value.",
  parameters: z.object({ value: z.any() }),
  execute: ({ value }) => value,
});

const blob = defineTool({
  name: "blob",
  description: "Return n bytes of text.",
  parameters: z.object({ n: z.number().int() }),
  execute: ({ n }) => "x".repeat(n as number),
});

describe.each<Isolation>(["process", "in-process"])("limits (%s)", (isolation) => {
  it("ends the run at maxToolCalls, counting parallel_map elements", async () => {
    const loop = await execute("for i in range(1000):\n  echo(i)", {
      isolation,
      tools: [echo],
      limits: { maxToolCalls: 5 },
    });
    const error = expectError(loop);
    expect(error.type).toBe("ToolCallLimitError");
    expect(error.message).toContain("maxToolCalls");
    expect(error.limit).toBe("maxToolCalls");
    expect(loop.toolCalls).toHaveLength(5);

    const mapped = await execute("parallel_map(echo, range(6))", {
      isolation,
      tools: [echo],
      limits: { maxToolCalls: 5 },
    });
    expect(expectError(mapped)).toMatchObject({
      type: "ToolCallLimitError",
      limit: "maxToolCalls",
    });
    expect(mapped.toolCalls).toHaveLength(0);
  });

  it("defaults maxToolCalls to 200", async () => {
    const result = await execute("for i in range(1000):\n  echo(i)", { isolation, tools: [echo] });
    expect(expectError(result).type).toBe("ToolCallLimitError");
    expect(result.toolCalls).toHaveLength(200);
  });

  it("limits the size of arguments, tool results, the final value and the source", async () => {
    const args = await execute("echo('y' * 2000)", {
      isolation,
      tools: [echo],
      limits: { maxToolArgumentBytes: 1000 },
    });
    expect(expectError(args)).toMatchObject({
      type: "ToolArgumentsTooLargeError",
      limit: "maxToolArgumentBytes",
    });
    expect(expectError(args).message).toContain("maxToolArgumentBytes");

    const res = await execute("blob(5000)", {
      isolation,
      tools: [blob],
      limits: { maxToolResultBytes: 1000 },
    });
    expect(expectError(res)).toMatchObject({
      type: "ToolResultTooLargeError",
      limit: "maxToolResultBytes",
    });

    const value = await execute("'z' * 5000", { isolation, limits: { maxResultBytes: 1000 } });
    expect(expectError(value)).toMatchObject({
      type: "ResultTooLargeError",
      limit: "maxResultBytes",
    });

    const source = await execute(`x = 1\n${"# pad\n".repeat(100)}`, {
      isolation,
      limits: { maxSourceBytes: 100 },
    });
    expect(expectError(source)).toMatchObject({
      type: "SourceTooLargeError",
      limit: "maxSourceBytes",
    });
  });

  it("stops deep recursion and too many allocations", async () => {
    const recursion = await execute("def f(n):\n  return f(n + 1)\nf(0)", {
      isolation,
      limits: { maxRecursionDepth: 50 },
    });
    expect(expectError(recursion)).toMatchObject({
      type: "RecursionError",
      limit: "maxRecursionDepth",
    });

    const allocations = await execute("xs = [[i] for i in range(100000)]", {
      isolation,
      limits: { maxAllocations: 1000 },
    });
    expect(expectError(allocations).message).toContain("maxAllocations");
    expect(expectError(allocations)).toMatchObject({
      type: "MemoryError",
      limit: "maxAllocations",
    });
  });

  it("times out a tool that never answers, and aborts its signal", async () => {
    let aborted = false;
    const hang = defineTool({
      name: "hang",
      description: "Never returns.",
      execute: (_input, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(signal.reason);
          });
        }),
    });
    const result = await execute("hang()", {
      isolation,
      tools: [hang],
      limits: { timeoutMs: 200 },
    });
    expect(expectError(result)).toMatchObject({ type: "TimeoutError", limit: "timeoutMs" });
    expect(aborted).toBe(true);
  });

  it("cancels with an AbortSignal and passes it to tools", async () => {
    const controller = new AbortController();
    let toolSawAbort = false;
    const wait = defineTool({
      name: "wait",
      description: "Waits until cancelled.",
      execute: (_input, { signal }) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            toolSawAbort = true;
            resolve(null);
          });
          setTimeout(() => controller.abort(), 50);
        }),
    });
    const result = await execute("wait()\n'finished'", {
      isolation,
      tools: [wait],
      signal: controller.signal,
    });
    expect(expectError(result).type).toBe("CancelledError");
    expect(expectError(result).limit).toBeUndefined();
    expect(toolSawAbort).toBe(true);
  });

  it("names no limit for a TimeoutError or MemoryError that is not the run's limit", async () => {
    const raised = await execute("raise MemoryError('out of tokens')", { isolation });
    expect(expectError(raised).type).toBe("MemoryError");
    expect(expectError(raised).limit).toBeUndefined();

    const slow = defineTool({
      name: "slow",
      description: "Never returns within its own time limit.",
      timeoutMs: 50,
      execute: (_input, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        ),
    });
    const tool = await execute("slow()", { isolation, tools: [slow] });
    expect(expectError(tool).type).toBe("TimeoutError");
    expect(expectError(tool).limit).toBeUndefined();
  });

  it("rejects unknown or invalid limits with a clear error", async () => {
    await expect(execute("1", { isolation, limits: { timeoutMS: 5 } as never })).rejects.toThrow(
      /Unknown limit "timeoutMS"/,
    );
    await expect(execute("1", { isolation, limits: { maxToolCalls: -1 } })).rejects.toThrow(
      /positive number/,
    );
  });
});
