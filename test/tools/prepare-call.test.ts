import { defineTool, execute, type Tool } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { prepareCall } from "../../src/tools/call/prepare-call.js";

const fetchData = defineTool({
  name: "fetch_data",
  parameters: z.object({ dataset: z.string(), limit: z.number().int().default(10) }),
  execute: () => [],
});

describe("prepareCall (the executor's one bind-and-validate step)", () => {
  it("binds, applies defaults and validates, synchronously for a synchronous validator", () => {
    expect(prepareCall(fetchData, ["sales"], {})).toEqual({
      ok: true,
      bound: { dataset: "sales" },
      value: { dataset: "sales", limit: 10 },
    });
  });

  it("reports binding and validation failures worded like CPython, naming the tool", () => {
    expect(prepareCall(fetchData, [], {})).toEqual({
      ok: false,
      message: "fetch_data() missing 1 required argument: 'dataset'",
    });
    expect(prepareCall(fetchData, ["sales"], { limit: "ten" })).toMatchObject({
      ok: false,
      bound: { dataset: "sales", limit: "ten" },
      message: expect.stringContaining("fetch_data(): argument 'limit': expected int, got str"),
    });
  });
});

// A tool from elsewhere whose validator breaks the "never throws" contract.
function brokenValidator(mode: "throws" | "rejects"): Tool {
  const base = defineTool({
    name: "lookup",
    parameters: z.object({ key: z.string() }),
    execute: ({ key }) => key.toUpperCase(),
  });
  return {
    ...base,
    validate: () => {
      if (mode === "throws") throw new Error("validator exploded");
      return Promise.reject(new Error("validator exploded"));
    },
  };
}

describe.each(["process", "in-process"] as const)("a validator that fails (%s)", (isolation) => {
  it.each(["throws", "rejects"] as const)(
    "that %s becomes a TypeError the program catches, recorded in toolCalls",
    async (mode) => {
      const result = await execute(
        `
try:
    lookup("a")
    outcome = "ran"
except TypeError as e:
    outcome = "caught: " + str(e)
outcome
`,
        { tools: [brokenValidator(mode)], isolation },
      );
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value).toBe(
        "caught: lookup() arguments could not be validated: validator exploded",
      );
      expect(result.toolCalls).toEqual([
        expect.objectContaining({
          name: "lookup",
          ok: false,
          args: { key: "a" },
          error: {
            type: "TypeError",
            message: "lookup() arguments could not be validated: validator exploded",
          },
        }),
      ]);
    },
  );
});
