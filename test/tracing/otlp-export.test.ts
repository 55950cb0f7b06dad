/**
 * The command line exports its spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set: a real receiver on loopback (started here, on a random port) decodes what
 * `codemode run` sends and checks the spans. And `--trace` prints the span tree.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, REPLAYED_RUN, runCli } from "../cli/helpers.js";

interface OtlpSpan {
  name: string;
  spanId: string;
  parentSpanId?: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

/** An OTLP/HTTP JSON receiver: every span it was sent, with its resource's service name. */
async function startReceiver() {
  const spans: (OtlpSpan & { service: string })[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk;
    });
    req.on("end", () => {
      contentTypes.push(String(req.headers["content-type"]));
      const message = JSON.parse(body) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: OtlpSpan[] }[];
        }[];
      };
      for (const rs of message.resourceSpans) {
        const service =
          rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
        for (const ss of rs.scopeSpans)
          for (const span of ss.spans) spans.push({ ...span, service });
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, contentTypes, close: () => server.close() };
}

const cli = (args: string[], env: Record<string, string>) => runCli(args, env);

let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(() => receiver?.close());

const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

describe("tracing from the command line", () => {
  it("codemode run exports its spans to OTEL_EXPORTER_OTLP_ENDPOINT", async () => {
    receiver = await startReceiver();
    const run = await cli(REPLAYED_RUN, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "codemode-test",
    });
    expect(run.code, run.stderr).toBe(0);
    const { spans } = receiver;
    expect(receiver.contentTypes[0]).toContain("application/json");
    const root = spans.find((s) => s.name === "invoke_agent codemode");
    expect(root).toBeDefined();
    expect(root!.service).toBe("codemode-test");
    expect(attr(root!, "codemode.status")).toBe("done");
    const turns = spans.filter((s) => s.name.startsWith("turn "));
    expect(turns).toHaveLength(3);
    for (const t of turns) expect(t.parentSpanId).toBe(root!.spanId);
    const tools = spans.filter((s) => s.name.startsWith("execute_tool "));
    expect(tools.map((s) => s.name)).toEqual(
      expect.arrayContaining(["execute_tool list_datasets", "execute_tool fetch_data"]),
    );
    const programs = new Set(spans.filter((s) => s.name === "execute_code").map((s) => s.spanId));
    for (const t of tools) expect(programs.has(t.parentSpanId!)).toBe(true);
  }, 60_000);

  it("codemode chat exports a chat's spans while it serves", async () => {
    receiver = await startReceiver();
    const child = spawn(process.execPath, [CLI, "chat", "--port", "0", "--demo"], {
      env: {
        ...(process.env as Record<string, string>),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      let stderr = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (d: Buffer) => {
          stderr += d;
          const match = /codemode chat: (http:\/\/\S+)/.exec(stderr);
          if (match?.[1]) resolve(match[1]);
        });
        child.on("exit", (code) =>
          reject(new Error(`codemode chat exited with ${code}: ${stderr}`)),
        );
      });
      const response = await fetch(`${url}api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "Which region had the highest revenue?" }),
      });
      await response.text();
      // Spans are batched: the exporter sends them within its delay (5 s), or on shutdown.
      child.kill("SIGTERM");
      const spans = receiver.spans;
      await expect
        .poll(() => spans.some((s) => s.name === "invoke_agent codemode"), { timeout: 15_000 })
        .toBe(true);
      expect(spans.some((s) => s.name === "execute_tool fetch_data")).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);

  it("codemode run --trace prints the span tree to stderr", async () => {
    const run = await cli([...REPLAYED_RUN, "--trace"], {});
    expect(run.code, run.stderr).toBe(0);
    const tree = run.stderr.slice(run.stderr.indexOf("trace:"));
    expect(tree).toMatch(/^trace:\n {2}invoke_agent codemode {2}[\d.]+ ms/);
    expect(tree).toMatch(/\n {4}turn 1 .*look/);
    expect(tree).toMatch(/\n {6}chat \S*explore-then-answer\.jsonl .*tokens 1450\/60/);
    expect(tree).toMatch(/\n {6}execute_code .*ok/);
    expect(tree).toMatch(/\n {8}execute_tool list_datasets/);
  }, 60_000);
});
