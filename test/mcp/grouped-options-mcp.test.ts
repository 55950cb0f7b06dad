/**
 * The MCP server's own sandbox settings fill in the agent's where the agent's settings
 * (grouped `sandbox` or the deprecated flat names) leave them unset: never a conflict.
 */
import { createCodeModeMcpServer } from "codemode/mcp";
import { describe, expect, it } from "vitest";
import { scripted } from "../helpers/scripted-llm.js";

describe("createCodeModeMcpServer with an agent's grouped options", () => {
  it("takes the agent's sandbox.limits or limits over the server's", () => {
    const callLlm = scripted([]);
    const limits = { timeoutMs: 1_000 };
    for (const agent of [
      { callLlm, sandbox: { limits: { timeoutMs: 2_000 } } },
      { callLlm, limits: { timeoutMs: 2_000 } },
      { callLlm, sandbox: { typeCheck: false } },
    ]) {
      expect(() =>
        createCodeModeMcpServer({ tools: [], limits, isolation: "in-process", agent }),
      ).not.toThrow();
    }
  });
});
