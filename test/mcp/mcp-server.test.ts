/**
 * A real MCP client (the SDK's `Client`) talking to `codemode mcp` over stdio and over
 * Streamable HTTP, and to `serveCodeModeMcpHttp()` in this process.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type CallLlm, defineTool } from "codemode";
import { type CodeModeMcpHttpServer, serveCodeModeMcpHttp } from "codemode/mcp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { CLI, FIXTURES, isAlive, type RunningServer, startUrlServer } from "./helpers.js";

const TOOLS = join(FIXTURES, "shop-tools.ts");
const REPLAY = join(FIXTURES, "ask-replay.jsonl");

interface Structured {
  ok: boolean;
  value?: unknown;
  output?: string;
  error?: { type: string; message: string; line?: number };
  toolCalls: { count: number; byTool: Record<string, number> };
  summary?: string;
}

type CallResult = Awaited<ReturnType<Client["callTool"]>>;
const structured = (r: CallResult) => r.structuredContent as unknown as Structured;
const text = (r: CallResult) => (r.content as { type: string; text?: string }[])[0]?.text ?? "";

/** The checks both transports must pass, on a connected client. */
function describeCodemodeServer(connect: () => Promise<Client>) {
  let client: Client;
  beforeAll(async () => {
    client = await connect();
  }, 60_000);
  afterAll(() => client?.close());

  it("lists run_python, whose description carries the tools' signatures, and ask", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["ask", "run_python"]);
    const runPython = tools.find((t) => t.name === "run_python")!;
    expect(runPython.description).toContain("list_orders(customer: str) -> list[str]");
    expect(runPython.description).toContain("get_order(id: str) -> GetOrderResult");
    expect(runPython.description).toContain("class GetOrderResult(TypedDict)");
    expect(runPython.description).toContain("Order id such as A-1");
    expect(runPython.inputSchema.required).toEqual(["code"]);
    const ask = tools.find((t) => t.name === "ask")!;
    expect(ask.description).toContain("get_order(id: str) -> GetOrderResult");
    // The TypedDict its signature names is declared too.
    expect(ask.description).toContain("class GetOrderResult(TypedDict)");
    // Both shop tools are read-only lookups in a closed world, so a program is too; ask
    // also reaches a model.
    expect(runPython.annotations).toEqual({
      readOnlyHint: true,
      idempotentHint: true,
      destructiveHint: false,
      openWorldHint: false,
    });
    expect(ask.annotations).toEqual({ ...runPython.annotations, openWorldHint: true });
  });

  it("run_python returns the value, the printed output and the tool calls", async () => {
    const result = await client.callTool({
      name: "run_python",
      arguments: {
        code: 'ids = list_orders("ada")\nprint("found", len(ids))\n{"ids": ids, "first": get_order(ids[0])["total"]}',
      },
    });
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toEqual({
      ok: true,
      value: { ids: ["A-1", "A-2"], first: 42.5 },
      output: "found 2\n",
      toolCalls: { count: 2, byTool: { list_orders: 1, get_order: 1 } },
    });
    expect(JSON.parse(text(result))).toEqual(structured(result));
  });

  it("run_python reports a failing program as isError with type, message and line", async () => {
    const result = await client.callTool({
      name: "run_python",
      arguments: { code: 'x = 1\norder = get_order("Z-0")\n' },
    });
    expect(result.isError).toBe(true);
    expect(structured(result).error).toEqual({
      type: "RuntimeError",
      message: "no order Z-0",
      line: 2,
    });
    expect(text(result)).toMatch(/^RuntimeError \(line 2\): no order Z-0/);
  });

  it("run_python type-checks first: a wrong key fails before any tool runs", async () => {
    const result = await client.callTool({
      name: "run_python",
      arguments: { code: 'o = get_order("A-1")\no["totl"]' },
    });
    expect(result.isError).toBe(true);
    expect(structured(result).error?.type).toBe("TypeCheckError");
    expect(structured(result).toolCalls.count).toBe(0);
  });

  it("ask runs the whole agent (replay model) and answers in Markdown", async () => {
    const result = await client.callTool({
      name: "ask",
      arguments: { question: "How much has ada spent?" },
    });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe("ada has 2 orders totalling 59.75");
    expect(structured(result)).toMatchObject({
      ok: true,
      attempts: 1,
      value: { total: 59.75 },
      toolCalls: { count: 3, byTool: { list_orders: 1, get_order: 2 } },
    });
  });
}

describe("codemode mcp's ask runs the turn loop", () => {
  it("looks at an order first, then answers from the kept variables (default --max-turns)", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        CLI,
        "mcp",
        "--tools",
        TOOLS,
        "--model",
        `replay:${join(FIXTURES, "ask-turns-replay.jsonl")}`,
      ],
      stderr: "pipe",
    });
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const result = await client.callTool({
        name: "ask",
        arguments: { question: "How much has ada spent?" },
      });
      expect(result.isError).toBeFalsy();
      expect(text(result)).toBe("ada has 2 orders totalling 59.75");
      expect(structured(result)).toMatchObject({
        ok: true,
        turns: 2,
        attempts: 2,
        value: { total: 59.75 },
        // get_order("A-1") ran once, in the look; the answer reused `first`.
        toolCalls: { count: 3, byTool: { list_orders: 1, get_order: 2 } },
      });
    } finally {
      await client.close();
    }
  });
});

describe("codemode mcp over stdio", () => {
  let transport: StdioClientTransport;
  describeCodemodeServer(async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "--tools", TOOLS, "--model", `replay:${REPLAY}`],
      stderr: "pipe",
    });
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(transport);
    return client;
  });

  it("exits when the client closes the connection", async () => {
    const extra = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "--tools", TOOLS, "--no-ask"],
      stderr: "pipe",
    });
    let stderr = "";
    extra.stderr?.on("data", (d: Buffer) => {
      stderr += d;
    });
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(extra);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["run_python"]);
    const pid = extra.pid!;
    await client.close();
    expect(isAlive(pid)).toBe(false);
    // The tools module's console.log went to stderr, not into the protocol.
    expect(stderr).toContain("shop tools loading");
  }, 60_000);
});

it("codemode mcp in front of an MCP server: its tools work through run_python, and it stops with codemode", async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", "--tools", join(FIXTURES, "mcp-backed-tools.ts"), "--no-ask"],
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => {
    stderr += d;
  });
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(transport);
  const result = await client.callTool({
    name: "run_python",
    arguments: { code: 'f = get_forecast("Oslo")\nf["summary"]' },
  });
  expect(structured(result).value).toBe("rain");
  const pid = Number(/weather-pid (\d+)/.exec(stderr)?.[1]);
  expect(isAlive(pid)).toBe(true);
  await client.close();
  await expect.poll(() => isAlive(pid), { timeout: 10_000, interval: 20 }).toBe(false);
}, 60_000);

describe("codemode mcp with bad options", () => {
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
      let stderr = "";
      let stdout = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d;
      });
      child.stdout.on("data", (d: Buffer) => {
        stdout += d;
      });
      child.on("close", (code) => resolve({ code, stderr, stdout }));
    });

  it("says what is wrong with --http, on stderr, and exits 2", async () => {
    const run = await cli(["mcp", "--http", "nope", "--no-ask"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--http needs a port from 0 to 65535 (got nope)");
  });

  it("names a missing tools file, without writing to stdout", async () => {
    const run = await cli(["mcp", "--tools", "./no-such-tools.ts"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Tools file not found: .*no-such-tools\.ts/);
    expect(run.stdout).toBe("");
  });
});

describe("codemode mcp --http 0", () => {
  let server: RunningServer;
  describeCodemodeServer(async () => {
    server = await startUrlServer(
      [CLI, "mcp", "--tools", TOOLS, "--model", `replay:${REPLAY}`, "--http", "0"],
      { stream: "stderr" },
    );
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    return client;
  });
  afterAll(() => server?.close());

  it("refuses requests from a web page's origin (DNS rebinding)", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        origin: "http://evil.example",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "page", version: "1" },
        },
      }),
    });
    expect(response.status).toBe(403);
  });
});

describe("serveCodeModeMcpHttp in this process", () => {
  let http: CodeModeMcpHttpServer;
  let started = 0;
  let aborted = 0;
  const replies = ['```python\nw = wait(0.2)\n{"summary": "waited", "w": w}\n```'];
  const callLlm: CallLlm = async () => replies.shift() ?? "no more replies";
  beforeAll(async () => {
    const wait = defineTool({
      name: "wait",
      description: "Waits, or until cancelled.",
      parameters: z.object({ seconds: z.number() }),
      execute: ({ seconds }, { signal }) =>
        new Promise((resolve, reject) => {
          started++;
          const timer = setTimeout(() => resolve(seconds), seconds * 1000);
          signal.addEventListener("abort", () => {
            aborted++;
            clearTimeout(timer);
            reject(signal.reason);
          });
        }),
    });
    http = await serveCodeModeMcpHttp(
      {
        tools: [wait],
        agent: { callLlm, model: "scripted:test" },
        limits: { toolTimeoutMs: 60_000 },
      },
      { port: 0 },
    );
  });
  afterAll(() => http?.close());

  it("cancels the program when the client cancels the request, and keeps one session per client", async () => {
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    expect(http.sessionCount()).toBe(1);
    const controller = new AbortController();
    const call = client.callTool(
      { name: "run_python", arguments: { code: "wait(30)" } },
      undefined,
      { signal: controller.signal },
    );
    await vi.waitFor(() => expect(started).toBe(1), { timeout: 10_000, interval: 10 });
    controller.abort();
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(aborted).toBe(1), { timeout: 10_000, interval: 10 });
    const quick = await client.callTool({ name: "run_python", arguments: { code: "wait(0)" } });
    expect(structured(quick).value).toBe(0);
    await client.close();
  });

  it("publishes that a program may change things when a tool has no annotations", async () => {
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    const { tools } = await client.listTools();
    const sideEffects = {
      readOnlyHint: false,
      idempotentHint: false,
      destructiveHint: true,
      openWorldHint: true,
    };
    expect(tools.find((t) => t.name === "run_python")!.annotations).toEqual(sideEffects);
    expect(tools.find((t) => t.name === "ask")!.annotations).toEqual(sideEffects);
    await client.close();
  });

  it("ask uses the agent settings given (here a scripted callLlm)", async () => {
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    const result = await client.callTool({ name: "ask", arguments: { question: "wait a bit" } });
    // The scripted program waits 0.2 s in the tool, then answers "waited".
    expect(text(result)).toBe("waited");
    await client.close();
  }, 30_000);
});
