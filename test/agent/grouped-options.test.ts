/**
 * Grouped options (`turns`, `sandbox`, `approvals`, `continuations`) and their deprecated
 * flat aliases: each grouped value behaves as the flat name did, and the two set to
 * different values is refused with an `InvalidOptionsError` that says which to keep.
 */
import { CodeModeAgent, type CodeModeAgentOptions, InvalidOptionsError } from "codemode";
import { describe, expect, it } from "vitest";
import { resolveAgentOptions } from "../../src/agent/options.js";
import { emailTools } from "../helpers/email-tools.js";
import { py } from "../helpers/python.js";
import { scripted } from "../helpers/scripted-llm.js";

async function runBoth(
  grouped: Partial<CodeModeAgentOptions>,
  flat: Partial<CodeModeAgentOptions>,
  replies: string[],
) {
  const results = [];
  for (const options of [grouped, flat]) {
    const { sent, tools } = emailTools();
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted(replies),
      sandbox: { isolation: "in-process" },
      ...options,
    });
    const result = await agent.run("Go.");
    results.push({
      status: result.status,
      summary: result.summary,
      kinds: result.turns.map((t) => t.kind),
      sent,
    });
  }
  return results;
}

describe("grouped agent options", () => {
  it("turns.maxTurns runs the loop as the flat maxTurns does", async () => {
    const replies = [py("[1, 2, 3]"), py('{"summary": "three"}')];
    const [grouped, flat] = await runBoth({ turns: { maxTurns: 3 } }, { maxTurns: 3 }, replies);
    expect(grouped).toEqual(flat);
    expect(grouped!.kinds).toEqual(["look", "answer"]);
  });

  it("approvals.onApproval decides calls as the flat onApproval does", async () => {
    const replies = [py('send_email(to="ada@example.com", subject="Hi")\n{"summary": "sent"}')];
    const onApproval = () => true;
    const [grouped, flat] = await runBoth({ approvals: { onApproval } }, { onApproval }, replies);
    expect(grouped).toEqual(flat);
    expect(grouped).toMatchObject({ status: "done", summary: "sent", sent: ["ada@example.com"] });
  });

  it("resolves sandbox, turns and continuations as the flat aliases", () => {
    const base = { tools: [], callLlm: scripted([]) };
    const claim = () => true;
    const grouped = resolveAgentOptions({
      ...base,
      sandbox: { typeCheck: false, isolation: "in-process", limits: { maxMemoryBytes: 1 << 26 } },
      turns: { maxRetries: 0, maxObservationBytes: 600, maxStateBytes: 10 },
      continuations: { secret: "s".repeat(16), claim, maxBytes: 1024 },
    });
    const flat = resolveAgentOptions({
      ...base,
      typeCheck: false,
      isolation: "in-process",
      limits: { maxMemoryBytes: 1 << 26 },
      maxRetries: 0,
      maxObservationBytes: 600,
      maxStateBytes: 10,
      continuationSecret: "s".repeat(16),
      claimContinuation: claim,
      maxContinuationBytes: 1024,
    });
    const { continuation: gc, ...g } = grouped;
    const { continuation: fc, ...f } = flat;
    expect(g).toEqual(f);
    expect(g).toMatchObject({ typeCheck: false, maxAttempts: 1, maxObservationBytes: 600 });
    expect(gc.maxBytes).toBe(1024);
    expect(fc.maxBytes).toBe(1024);
  });

  it("a grouped value wins; the same value in both places is accepted", () => {
    const base = { tools: [], callLlm: scripted([]) };
    expect(resolveAgentOptions({ ...base, turns: { maxTurns: 4 } }).maxTurns).toBe(4);
    expect(resolveAgentOptions({ ...base, maxTurns: 4, turns: { maxTurns: 4 } }).maxTurns).toBe(4);
    expect(resolveAgentOptions({ ...base, sandbox: {}, typeCheck: false }).typeCheck).toBe(false);
  });

  it("refuses a grouped value and its flat alias set to different values, naming the one to keep", () => {
    const { tools } = emailTools();
    const callLlm = scripted([]);
    const conflict = () =>
      new CodeModeAgent({ tools, callLlm, maxTurns: 2, turns: { maxTurns: 3 } });
    expect(conflict).toThrow(InvalidOptionsError);
    expect(conflict).toThrow(/keep turns\.maxTurns .*remove maxTurns/);
    expect(
      () => new CodeModeAgent({ tools, callLlm, typeCheck: true, sandbox: { typeCheck: false } }),
    ).toThrow(/keep sandbox\.typeCheck/);
    expect(
      () =>
        new CodeModeAgent({
          tools,
          callLlm,
          onApproval: () => true,
          approvals: { onApproval: () => false },
        }),
    ).toThrow(/keep approvals\.onApproval/);
    expect(() => new CodeModeAgent({ tools, callLlm, sandbox: "in-process" as never })).toThrow(
      /sandbox must be an object/,
    );
  });
});
