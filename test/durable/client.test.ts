/**
 * What the durable client says when Restate or the worker is not where it should be, and
 * cancelling a submitted run.
 */
import { join } from "node:path";
import { InvalidOptionsError } from "codemode";
import {
  cancelInvocation,
  createDurableClient,
  DurableRunError,
  RestateUnavailableError,
} from "codemode/durable";
import { describe, expect, it } from "vitest";
import { freePort } from "./restate-harness.js";
import { durableTestbed } from "./testbed.js";
import { lines, waitForFile } from "./worker-process.js";

const bed = durableTestbed();

describe("createDurableClient", () => {
  it("needs an http(s) ingress URL", () => {
    expect(() => createDurableClient({ ingressUrl: "localhost:8080" })).toThrow(
      InvalidOptionsError,
    );
  });

  it("names the ingress when nothing listens there", async () => {
    const port = await freePort();
    const client = createDurableClient({ ingressUrl: `http://127.0.0.1:${port}` });
    const error = await client.run("hi").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestateUnavailableError);
    expect(String(error)).toContain(
      `Could not reach the Restate ingress at http://127.0.0.1:${port}`,
    );
  });

  it("says to register a worker when the service is unknown to Restate", async () => {
    const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl, service: "nobody" });
    const error = await client.run("hi", [], { runId: "r1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DurableRunError);
    expect((error as DurableRunError).status).toBe(404);
    expect(String(error)).toMatch(/Is a worker serving "nobody" registered/);
  });

  it("cancels a submitted run with cancelInvocation(adminUrl, invocationId)", async () => {
    const { worker, dir } = await bed.registered({ HANG_AT: "1" });
    const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
    const runId = `cancel-submitted-${Date.now()}`;
    const submitted = await client.submit("Record five steps", [], { runId });
    await waitForFile(join(dir, "hanging-1"));

    await cancelInvocation(bed.restate.adminUrl, submitted.invocationId);
    const error = await client.result(runId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DurableRunError);
    expect((error as DurableRunError).status).toBe(409);
    expect(lines(join(dir, "tool-calls.log"))).toEqual([]);
    await worker.kill();
  }, 60_000);

  it("rejects an empty run id before any request", async () => {
    const client = createDurableClient({ ingressUrl: bed.restate.ingressUrl });
    await expect(client.run("hi", [], { runId: "" })).rejects.toThrow(/runId must be/);
  });
});
