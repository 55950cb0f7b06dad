import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolArgumentError } from "../../src/errors.js";
import { bindArguments } from "../../src/tools/call/bind-arguments.js";
import { defineTool, functionTool } from "../../src/tools/define/define-tool.js";
import { thrownBy } from "../helpers/results.js";

const fetchData = defineTool({
  name: "fetch_data",
  parameters: z.object({ dataset: z.string(), limit: z.number().int().default(10) }),
  execute: () => [],
});

const bindError = (run: () => unknown): string => thrownBy(run, ToolArgumentError).message;

describe("bindArguments", () => {
  it("maps positional then keyword arguments onto parameters", () => {
    expect(bindArguments(fetchData, ["sales"], { limit: 5 })).toEqual({
      dataset: "sales",
      limit: 5,
    });
    expect(bindArguments(fetchData, [], { dataset: "sales" })).toEqual({ dataset: "sales" });
  });

  it("raises Python's messages for bad calls", () => {
    expect(bindError(() => bindArguments(fetchData, ["a", 1, 2], {}))).toBe(
      "fetch_data() takes 2 positional arguments but 3 were given",
    );
    expect(bindError(() => bindArguments(fetchData, ["a"], { x: 1 }))).toBe(
      "fetch_data() got an unexpected keyword argument 'x' (parameters: dataset, limit)",
    );
    expect(bindError(() => bindArguments(fetchData, ["a"], { dataset: "b" }))).toBe(
      "fetch_data() got multiple values for argument 'dataset'",
    );
    expect(bindError(() => bindArguments(fetchData, [], { limit: 1 }))).toBe(
      "fetch_data() missing 1 required argument: 'dataset'",
    );
  });

  it("lists several missing arguments like CPython", () => {
    const tool = defineTool({
      name: "t",
      parameters: z.object({ a: z.string(), b: z.string(), c: z.string() }),
      execute: () => 1,
    });
    expect(bindError(() => bindArguments(tool, [], {}))).toBe(
      "t() missing 3 required arguments: 'a', 'b', and 'c'",
    );
  });

  it("refuses keyword-only parameters given positionally", () => {
    const tool = defineTool({
      name: "t",
      parameters: z.object({ a: z.string().optional(), b: z.string() }),
      execute: () => 1,
    });
    expect(bindArguments(tool, ["x"], { b: "y" })).toEqual({ a: "x", b: "y" });
    expect(bindError(() => bindArguments(tool, ["x", "y"], {}))).toBe(
      "t() takes 1 positional argument but 2 were given",
    );
  });

  it("collects extra positional arguments into a rest parameter", () => {
    const tool = functionTool((first: number, ...rest: number[]) => first + rest.length, "count");
    expect(bindArguments(tool, [1, 2, 3], {})).toEqual({ first: 1, rest: [2, 3] });
    expect(bindError(() => bindArguments(tool, [1], { rest: [1] }))).toMatch(
      /unexpected keyword argument 'rest'/,
    );
  });

  it("says so when the tool takes no arguments", () => {
    const tool = defineTool({ name: "now", execute: () => 1 });
    expect(bindError(() => bindArguments(tool, [], { x: 1 }))).toBe(
      "now() got an unexpected keyword argument 'x' (it takes no arguments)",
    );
    expect(bindError(() => bindArguments(tool, [1], {}))).toBe(
      "now() takes 0 positional arguments but 1 was given",
    );
  });

  it("throws ToolArgumentError, not a crash, on malformed input", () => {
    expect(bindError(() => bindArguments(fetchData, "abc", {}))).toMatch(/malformed positional/);
    expect(bindError(() => bindArguments(fetchData, null, {}))).toMatch(/malformed positional/);
    expect(bindError(() => bindArguments(fetchData, ["a"], null))).toMatch(/malformed keyword/);
    expect(bindError(() => bindArguments(fetchData, ["a"], [1]))).toMatch(/malformed keyword/);
    expect(bindArguments(fetchData, undefined, new Map([["dataset", "a"]]))).toEqual({
      dataset: "a",
    });
  });

  it("keeps odd keyword names as plain keys", () => {
    expect(
      bindError(() => bindArguments(fetchData, ["a"], JSON.parse('{"__proto__": 1}'))),
    ).toMatch(/unexpected keyword argument '__proto__'/);
    expect(bindError(() => bindArguments(fetchData, ["a"], { constructor: 1 }))).toMatch(
      /unexpected keyword argument 'constructor'/,
    );
  });
});
