/**
 * `codemode worker` and `codemode chat --durable` as real child processes on the built
 * package: the worker registers itself with restate-server, the chat server sends each
 * message through Restate, and the answer comes back with the events of the run.
 */
import { spawn } from "node:child_process";
import { connect } from "node:http2";
import { join } from "node:path";
import { type AgentEvent, execute } from "codemode";
import { createDurableClient, DurableChatAgent, remoteTool } from "codemode/durable";
import { describe, expect, it } from "vitest";
import { readEvents } from "../server/helpers.js";
import { durableTestbed } from "./testbed.js";
import { CLI, startWorker, type WorkerProcess } from "./worker-process.js";

const ROOT = join(import.meta.dirname, "../..");
const TOOLS = join(ROOT, "examples/data-tools/tools.ts");
const REPLAY = `replay:${join(ROOT, "examples/replays/revenue-by-region.jsonl")}`;

const bed = durableTestbed();

/** `codemode worker` on the example tools (and `args`), registered with the restate-server. */
async function registeredWorker(...args: string[]): Promise<WorkerProcess> {
  return bed.keep(
    await startWorker(
      [CLI, "worker", "--tools", TOOLS, ...args, "--port", "0", "--register", bed.restate.adminUrl],
      {},
      /listening on http:\/\/[^:]+:(\d+)[\s\S]*registered with/,
    ),
  );
}

describe("codemode worker", () => {
  it("serves durable runs of the example tools and registers itself", async () => {
    const worker = await registeredWorker("--model", REPLAY);
    expect(worker.output()).toMatch(/registered with .* as deployment dp_/);

    const result = await createDurableClient({ ingressUrl: bed.restate.ingressUrl }).run(
      "Which region had the highest revenue in 2024?",
    );
    // The replay's first program uses a wrong dataset name; the second attempt succeeds.
    expect(result.error).toBeNull();
    expect(result.attempts).toBe(2);
    expect(result.toolCalls.map((c) => c.name)).toContain("fetch_data");
    expect(result.summary).not.toBe("");

    // A malformed run fails at once with a message, instead of being retried forever.
    await fetch(`${bed.restate.ingressUrl}/codemode/bad-input/run/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "no message field" }),
    });
    const bad = await fetch(`${bed.restate.ingressUrl}/restate/workflow/codemode/bad-input/attach`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('The run input must be { \\"message\\": string');

    // The same through the chat agent the chat server uses.
    const agent = new DurableChatAgent({
      ingressUrl: bed.restate.ingressUrl,
      tools: (await import("../../examples/data-tools/tools.js")).tools,
    });
    expect(agent.usesDurableTools()).toBe(true);
    expect(agent.toolDescriptions().map((t) => t.name)).toContain("fetch_data");
    const events: AgentEvent[] = [];
    const chat = await agent.run("Chart revenue by region", [], {
      onEvent: (e) => events.push(e),
    });
    expect(chat.error).toBeNull();
    expect(events[0]?.type).toBe("generating_code");
    expect(events.at(-1)?.type).toBe("done");
    expect(events.filter((e) => e.type === "tool_result").length).toBe(chat.toolCalls.length);

    // And through `codemode chat --durable <ingress>`.
    const chatServer = bed.keep(
      await startWorker(
        [
          CLI,
          "chat",
          "--port",
          "0",
          "--tools",
          TOOLS,
          "--durable",
          bed.restate.ingressUrl,
          "--restate-admin",
          bed.restate.adminUrl,
        ],
        {},
        /codemode chat: http:\/\/[^:]+:(\d+)/,
      ),
    );
    const health = (await (await fetch(`${chatServer.url}/health`)).json()) as {
      durable: boolean;
    };
    expect(health.durable).toBe(true);
    const response = await fetch(`${chatServer.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Which region sold most?" }),
    });
    const streamed = await readEvents(response);
    const done = streamed.at(-1);
    expect(done?.type).toBe("done");
    if (done?.type === "done") {
      expect(done.result.error).toBeNull();
      expect(done.result.summary).not.toBe("");
    }
  }, 90_000);

  it("serves only the tools with --tools-only, for remoteTool on other machines", async () => {
    const worker = await registeredWorker("--tools-only");
    expect(worker.output()).toContain("codemode-tools (tools)");
    const { listDatasets } = await import("../../examples/data-tools/tools.js");
    // Outside a durable run a remote tool calls the service through the ingress.
    const result = await execute("[d['name'] for d in list_datasets()]", {
      tools: [remoteTool(listDatasets, { ingressUrl: bed.restate.ingressUrl })],
      isolation: "in-process",
    });
    expect(result.ok && result.value).toContain("sales_2024");
    // A deliberate tool error keeps its Python type across the wire.
    const bad = await execute(
      "try:\n    fetch_data('nope')\nexcept ValueError as e:\n    r = 'ValueError: ' + str(e)\nr",
      {
        tools: [
          remoteTool((await import("../../examples/data-tools/tools.js")).fetchData, {
            ingressUrl: bed.restate.ingressUrl,
          }),
        ],
        isolation: "in-process",
      },
    );
    expect(bad.ok && bad.value).toMatch(/^ValueError: Unknown dataset "nope"/);
  }, 60_000);

  it("says what to do when the Restate admin API is not there", async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [CLI, "worker", "--tools", TOOLS, "--port", "0", "--register", "http://127.0.0.1:1"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d;
      });
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Could not reach the Restate admin API at http://127.0.0.1:1");
  }, 30_000);

  it("listens on loopback by default; exposed, it warns without --identity-key and with one refuses unsigned requests", async () => {
    const local = bed.keep(await startWorker([CLI, "worker", "--demo", "--port", "0"], {}));
    expect(local.output()).toMatch(
      /listening on http:\/\/127\.0\.0\.1:\d+: codemode \(model replay:/,
    );
    expect(await discover(local.port)).toBe(200);
    await local.kill();

    const exposed = bed.keep(
      await startWorker(
        [CLI, "worker", "--demo", "--port", "0", "--host", "0.0.0.0"],
        {},
        /listening on http:\/\/0\.0\.0\.0:(\d+) \(every interface\)[\s\S]*register it/,
      ),
    );
    expect(exposed.output()).toContain("no --identity-key is set");
    await exposed.kill();

    const signed = bed.keep(
      await startWorker(
        [
          CLI,
          "worker",
          "--demo",
          "--port",
          "0",
          "--host",
          "0.0.0.0",
          "--identity-key",
          IDENTITY_KEY,
        ],
        {},
        /listening on http:\/\/0\.0\.0\.0:(\d+)[\s\S]*register it/,
      ),
    );
    expect(signed.output()).not.toContain("no --identity-key is set");
    // Restate signs its requests with the private key; a request without a signature is refused.
    expect(await discover(signed.port)).toBe(401);
  }, 60_000);
});

/** A Restate request identity public key (the SDK's documented example). */
const IDENTITY_KEY = "publickeyv1_2G8dCQhArfvGpzPw5Vx2ALciR4xCLHfS5YaT93XjNxX9";

/** The status of an unsigned `GET /discover` over HTTP/2, as restate-server would send it. */
function discover(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const request = session.request({
      ":method": "GET",
      ":path": "/discover",
      accept: "application/vnd.restate.endpointmanifest.v4+json",
    });
    request.on("response", (headers) => {
      resolve(Number(headers[":status"]));
      request.close();
      session.close();
    });
    request.on("error", reject);
    request.end();
  });
}
