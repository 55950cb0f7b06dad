/**
 * The durable service takes the agent's grouped options (`sandbox`, `approvals`) as it takes
 * their deprecated flat aliases: its own run clock merges into `sandbox.limits`, and an
 * `onApproval` is refused in either place.
 */
import { InvalidOptionsError } from "codemode";
import { createDurableService } from "codemode/durable";
import { describe, expect, it } from "vitest";

describe("createDurableService with grouped options", () => {
  it("accepts sandbox.limits (its run clock goes in with them) as it accepts limits", async () => {
    await expect(
      createDurableService({ tools: [], sandbox: { limits: { toolTimeoutMs: 5_000 } } }),
    ).resolves.toBeDefined();
    await expect(
      createDurableService({ tools: [], limits: { toolTimeoutMs: 5_000 } }),
    ).resolves.toBeDefined();
  });

  it("refuses approvals.onApproval as it refuses onApproval", async () => {
    await expect(
      createDurableService({ tools: [], approvals: { onApproval: () => true } }),
    ).rejects.toThrow(/takes no onApproval/);
    await expect(
      createDurableService({
        tools: [],
        limits: { toolTimeoutMs: 1 },
        sandbox: { limits: { toolTimeoutMs: 2 } },
      }),
    ).rejects.toThrow(InvalidOptionsError);
  });
});
