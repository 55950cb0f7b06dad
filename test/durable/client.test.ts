/** What the durable client says when Restate or the worker is not where it should be. */
import { InvalidOptionsError } from "codemode";
import { createDurableClient, DurableRunError, RestateUnavailableError } from "codemode/durable";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type RestateNode, startRestate } from "./restate-harness.js";

let restate: RestateNode & { stopAndClean(): Promise<void> };

beforeAll(async () => {
  restate = await startRestate();
}, 60_000);

afterAll(async () => {
  await restate?.stopAndClean();
});

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
    const client = createDurableClient({ ingressUrl: restate.ingressUrl, service: "nobody" });
    const error = await client.run("hi", [], { runId: "r1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DurableRunError);
    expect((error as DurableRunError).status).toBe(404);
    expect(String(error)).toMatch(/Is a worker serving "nobody" registered/);
  });

  it("rejects an empty run id before any request", async () => {
    const client = createDurableClient({ ingressUrl: restate.ingressUrl });
    await expect(client.run("hi", [], { runId: "" })).rejects.toThrow(/runId must be/);
  });
});
