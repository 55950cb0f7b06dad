/**
 * Tool annotations in MCP's words, and `compensate`: what `defineTool`, `fromAiSdkTool`,
 * renaming and `durableTool` keep, and the definitions they refuse with a message that
 * says what to write.
 */
import { tool } from "ai";
import {
  defineTool,
  durableTool,
  fromAiSdkTool,
  normalizeTools,
  type Tool,
  ToolDefinitionError,
} from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { thrownBy } from "../helpers/results.js";

const refund = defineTool({
  name: "refund",
  inputSchema: z.object({ order_id: z.number(), amount: z.number() }),
  annotations: { destructiveHint: false, idempotentHint: false, title: "Refund an order" },
  compensate: ({ order_id }, result) => ({ undo: order_id, result }),
  execute: ({ order_id, amount }) => ({ order_id, amount }),
});

const definitionError = (define: () => unknown): string =>
  thrownBy(define, ToolDefinitionError).message;

describe("annotations", () => {
  it("are exposed on Tool.annotations as given, frozen", () => {
    expect(refund.annotations).toEqual({
      destructiveHint: false,
      idempotentHint: false,
      title: "Refund an order",
    });
    expect(Object.isFrozen(refund.annotations)).toBe(true);
    const plain = defineTool({ name: "plain", execute: () => 1 });
    expect(plain.annotations).toBeUndefined();
    expect(Object.keys(plain)).not.toContain("annotations");
  });

  it("survive renaming in a record and durableTool", () => {
    const [renamed] = normalizeTools({ give_back: refund });
    expect(renamed!.name).toBe("give_back");
    expect(renamed!.annotations).toBe(refund.annotations);
    expect(typeof renamed!.compensate).toBe("function");
    const durable = durableTool(refund, { retries: 1 });
    expect(durable.annotations).toBe(refund.annotations);
    expect(durable.compensate).toBeDefined();
  });

  it("refuse a wrong shape at definition, saying what to write", () => {
    const define = (annotations: unknown) => () =>
      defineTool({ name: "t", annotations: annotations as never, execute: () => 1 });
    expect(definitionError(define("readOnly"))).toBe(
      'Tool "t": annotations must be an object such as { readOnlyHint: true } or ' +
        '{ idempotentHint: true, destructiveHint: false } (got "readOnly").',
    );
    expect(definitionError(define(["readOnlyHint"]))).toContain("(got an array)");
    expect(definitionError(define({ readonlyHint: true }))).toBe(
      'Tool "t": annotations has no "readonlyHint" (did you mean readOnlyHint?). Write ' +
        "{ readOnlyHint: true } or { idempotentHint: true, destructiveHint: false }.",
    );
    expect(definitionError(define({ read_only_hint: true }))).toContain(
      "did you mean readOnlyHint?",
    );
    expect(definitionError(define({ sideEffects: false }))).toContain(
      "use readOnlyHint, idempotentHint, destructiveHint, openWorldHint, title",
    );
    expect(definitionError(define({ readOnlyHint: "yes" }))).toBe(
      'Tool "t": annotations.readOnlyHint must be true or false (got "yes").',
    );
    expect(definitionError(define({ title: 3 }))).toBe(
      'Tool "t": annotations.title must be a string (got number).',
    );
  });
});

describe("compensate", () => {
  it("is called with the input, the result and the context", async () => {
    const context = { signal: new AbortController().signal, reason: "failed" as const };
    expect(await refund.compensate!({ order_id: 7, amount: 20 }, { id: 1 }, context)).toEqual({
      undo: 7,
      result: { id: 1 },
    });
  });

  it("must be a function", () => {
    const message = definitionError(() =>
      defineTool({ name: "t", compensate: "refund" as never, execute: () => 1 }),
    );
    expect(message).toBe(
      'Tool "t": compensate must be a function (input, result, context) => ... that undoes ' +
        "one completed call, e.g. compensate: ({ order_id }, refund) => cancelRefund(refund.id) " +
        "(got string).",
    );
  });
});

describe("fromAiSdkTool(name, tool, { annotations })", () => {
  const aiTool = tool({
    description: "Look up a price.",
    inputSchema: z.object({ sku: z.string() }),
    execute: async ({ sku }) => ({ sku, price: 3 }),
  });

  it("gives the AI SDK tool annotations and a compensation", () => {
    const undo = () => undefined;
    const priced: Tool = fromAiSdkTool("price", aiTool, {
      annotations: { readOnlyHint: true },
      compensate: undo,
    });
    expect(priced.annotations).toEqual({ readOnlyHint: true });
    expect(priced.compensate).toBe(undo);
    expect(fromAiSdkTool("price", aiTool).annotations).toBeUndefined();
  });

  it("refuses a wrong shape the same way", () => {
    expect(
      definitionError(() =>
        fromAiSdkTool("price", aiTool, { annotations: { readOnly: true } as never }),
      ),
    ).toContain('AI SDK tool "price": annotations has no "readOnly" (did you mean readOnlyHint?)');
    expect(
      definitionError(() => fromAiSdkTool("price", aiTool, { compensate: 1 as never })),
    ).toContain('AI SDK tool "price": compensate must be a function');
    expect(definitionError(() => fromAiSdkTool("price", aiTool, null as never))).toContain(
      "the third argument must be { annotations?, compensate? }",
    );
  });
});

describe("annotations an MCP server lists", () => {
  it("keep the well-formed fields and drop the rest, so the tool stays usable", async () => {
    const { listedAnnotations } = await import("../../src/tools/define/annotations.js");
    expect(listedAnnotations({ readOnlyHint: "yes", title: "Odd", idempotentHint: true })).toEqual({
      title: "Odd",
      idempotentHint: true,
    });
    expect(listedAnnotations({ readOnlyHint: "yes" })).toBeUndefined();
    expect(listedAnnotations(null)).toBeUndefined();
  });
});
