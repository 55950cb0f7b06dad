import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pythonParameterNames, pythonToolNames } from "../../src/mcp/names.js";
import { isPythonIdentifier, RESERVED_TOOL_NAMES } from "../../src/tools/python/names.js";

describe("pythonToolNames", () => {
  it("gives the same names whatever order the server lists its tools in", () => {
    const mcpName = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(fc.uniqueArray(mcpName, { maxLength: 12 }), fc.integer(), (names, seed) => {
        const shuffled = [...names].sort(
          (a, b) => ((a.charCodeAt(0) * seed) % 7) - ((b.charCodeAt(0) * seed) % 7),
        );
        const one = pythonToolNames(names).names;
        const two = pythonToolNames(shuffled).names;
        for (const name of names) expect(two.get(name)).toBe(one.get(name));
      }),
    );
  });

  it("always gives distinct, valid, unreserved identifiers", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 10 }), { maxLength: 15 }),
        fc.option(fc.constantFrom("w", "files", "gh"), { nil: undefined }),
        (names, prefix) => {
          const { names: map, renamed } = pythonToolNames(names, prefix, new Set(["taken"]));
          const values = names.map((n) => map.get(n)!);
          expect(new Set(values).size).toBe(values.length);
          for (const v of values) {
            expect(isPythonIdentifier(v)).toBe(true);
            expect(RESERVED_TOOL_NAMES.has(v)).toBe(false);
            expect(v).not.toBe("taken");
          }
          const expectedRenames = names.filter(
            (n) => map.get(n) !== (prefix ? `${prefix}_${n}` : n),
          );
          expect(renamed.map((r) => r.from).sort()).toEqual(expectedRenames.sort());
        },
      ),
    );
  });
});

describe("pythonParameterNames", () => {
  it("maps Python names back to MCP property names without clashes", () => {
    const back = pythonParameterNames(["from", "from_", "user-id", "user_id", "ok"]);
    expect([...back]).toEqual([
      ["from__", "from"],
      ["from_", "from_"],
      ["user_id_", "user-id"],
      ["user_id", "user_id"],
      ["ok", "ok"],
    ]);
  });
});
