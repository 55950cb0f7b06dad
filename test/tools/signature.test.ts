import { Monty, MontyTypingError } from "@pydantic/monty";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, functionTool } from "../../src/tools/define/define-tool.js";
import {
  pythonDocstring,
  pythonSignature,
  pythonStub,
  pythonTypedDicts,
} from "../../src/tools/python/signature.js";

const fetchData = defineTool({
  name: "fetch_data",
  description: "Fetch rows from a dataset.",
  parameters: z.object({
    dataset: z.string().describe("Name of the dataset."),
    limit: z.number().int().default(10),
  }),
  returns: z.array(z.record(z.string(), z.any())).describe("One dict per row."),
  execute: () => [],
});

const search = defineTool({
  name: "search",
  description: "Search documents.",
  parameters: {
    type: "object",
    properties: {
      query: { type: "string" },
      mode: { type: "string", enum: ["fast", "exact"], default: "fast" },
      tags: { type: "array", items: { type: "string" } },
      since: { type: ["string", "null"], format: "date-time" },
    },
    required: ["query", "since"],
  },
  execute: () => [],
});

describe("pythonSignature", () => {
  it("renders a Zod tool", () => {
    expect(pythonSignature(fetchData)).toBe(
      "fetch_data(dataset: str, limit: int = 10) -> list[dict[str, Any]]",
    );
  });

  it("renders a JSON Schema tool, keeping schema order with keyword-only parameters", () => {
    expect(pythonSignature(search)).toBe(
      'search(query: str, mode: Literal["fast", "exact"] = "fast", tags: list[str] | None = None, ' +
        "*, since: str | None) -> Any",
    );
  });

  it("renders a plain function", () => {
    function total(items: number[], start = 0) {
      return items.reduce((a, b) => a + b, start);
    }
    expect(pythonSignature(functionTool(total))).toBe("total(items: Any, start: Any = 0) -> Any");
  });

  it("follows $refs of recursive Zod schemas", () => {
    type Node = { name: string; children: Node[] };
    const node: z.ZodType<Node> = z.lazy(() =>
      z.object({ name: z.string(), children: z.array(node) }),
    );
    const tool = defineTool({
      name: "walk",
      parameters: z.object({ roots: z.array(node) }),
      returns: node,
      execute: ({ roots }) => roots[0]!,
    });
    // Recursive objects are TypedDicts that name themselves.
    expect(pythonSignature(tool)).toBe("walk(roots: list[WalkParamsRootsItem]) -> WalkResult");
    expect(pythonTypedDicts([tool])).toContain(
      "class WalkResult(TypedDict):\n    name: str\n    children: list[WalkResult]",
    );
  });

  it("never shows a default the type would reject", () => {
    const tool = defineTool({
      name: "t",
      parameters: {
        type: "object",
        properties: { n: { type: "integer", default: null }, m: { type: "integer", default: "7" } },
      },
      execute: () => 1,
    });
    expect(pythonSignature(tool)).toBe('t(n: int | None = None, m: Any = "7") -> Any');
  });
});

describe("pythonDocstring", () => {
  it("has the description, Args from property descriptions, and Returns", () => {
    expect(pythonDocstring(fetchData)).toBe(
      "Fetch rows from a dataset.\n\nArgs:\n    dataset: Name of the dataset.\n\nReturns:\n    One dict per row.",
    );
  });

  it("dedents template-literal descriptions", () => {
    const tool = defineTool({
      name: "t",
      description: `
        First line.
          Indented more.
        Last line.
      `,
      execute: () => 1,
    });
    expect(pythonDocstring(tool)).toBe("First line.\n  Indented more.\nLast line.");
  });
});

describe("pythonStub", () => {
  it("declares every tool and parallel_map with NotImplementedError bodies", () => {
    const stub = pythonStub([fetchData, search]);
    expect(stub).toMatch(/^from typing import Any, Literal\n/);
    // Arguments are loosened in the stub (`int` takes floats, as validation does for 3.0).
    expect(stub).toContain(
      "def fetch_data(dataset: str, limit: float = 10) -> list[dict[str, Any]]:\n" +
        '    """Fetch rows from a dataset.\n',
    );
    expect(stub).toContain(
      "def parallel_map(tool: Any, *iterables: Any, concurrency: int | None = None, " +
        "return_exceptions: bool = False, **kwargs: Any) -> list[Any]:",
    );
    expect(stub.match(/raise NotImplementedError/g)).toHaveLength(3);
  });

  it("escapes docstrings that would end the string early", () => {
    const tool = defineTool({
      name: "t",
      description: 'Say """hi""" \\N then "quote"',
      execute: () => 1,
    });
    const stub = pythonStub([tool]);
    expect(stub).toContain('"""Say \\"\\"\\"hi\\"\\"\\" \\\\N then "quote\\""""');
    expect(() => new Monty(`${stub}\nt()`, { typeCheck: true })).not.toThrow();
  });

  it("lets Monty's type checker accept correct calls and reject wrong argument types", () => {
    const stub = pythonStub([fetchData, search, functionTool((a: number, b = 2) => a + b, "add")]);
    const good = [
      'rows = fetch_data("sales", limit=5)',
      'first = rows[0]["region"]',
      'hits = search("q", since=None, tags=["a"])',
      "add(1)",
      'more = parallel_map(fetch_data, ["a", "b"], concurrency=2)',
    ].join("\n");
    expect(() => new Monty(`${stub}\n${good}`, { typeCheck: true })).not.toThrow();

    const wrongType = () => new Monty(`${stub}\nfetch_data(42)`, { typeCheck: true });
    expect(wrongType).toThrow(MontyTypingError);
    expect(wrongType).toThrow(/fetch_data/);
    const wrongLiteral = () =>
      new Monty(`${stub}\nsearch("q", mode="slow", since=None)`, { typeCheck: true });
    expect(wrongLiteral).toThrow(MontyTypingError);
    const keywordOnly = () =>
      new Monty(`${stub}\nsearch("q", "fast", None, None)`, { typeCheck: true });
    expect(keywordOnly).toThrow(MontyTypingError);
  });
});
