import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolArgumentError } from "../../src/errors.js";
import { defineTool } from "../../src/tools/define-tool.js";
import { prepareCall } from "../../src/tools/prepare-call.js";

const fetchData = defineTool({
  name: "fetch_data",
  parameters: z.object({ dataset: z.string(), limit: z.number().int().default(10) }),
  execute: () => [],
});

describe("prepareCall", () => {
  it("binds, applies defaults and validates", async () => {
    await expect(prepareCall(fetchData, ["sales"], {})).resolves.toEqual({
      dataset: "sales",
      limit: 10,
    });
  });

  it("raises binding and validation failures as ToolArgumentError naming the tool", async () => {
    await expect(prepareCall(fetchData, [], {})).rejects.toThrow(
      new ToolArgumentError("fetch_data() missing 1 required argument: 'dataset'"),
    );
    const failure = prepareCall(fetchData, ["sales"], { limit: "ten" });
    await expect(failure).rejects.toBeInstanceOf(ToolArgumentError);
    await expect(failure).rejects.toThrow("fetch_data() argument 'limit': expected int, got str");
  });
});
