/** mcpTools({ url }) against real MCP servers over Streamable HTTP and the older HTTP+SSE. */
import { execute } from "codemode";
import { McpConnectionError, mcpTools } from "codemode/mcp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startHttpFixture } from "./helpers.js";

describe("Streamable HTTP", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startHttpFixture("many-tools", "--http");
  });
  afterAll(() => server?.close());

  it("lists 120 tools across pages and calls them", async () => {
    await using set = await mcpTools({ url: server.url, prefix: "m" });
    expect(set).toHaveLength(120);
    expect(set.servers).toEqual([
      { name: "many-tools", transport: "streamable-http", prefix: "m" },
    ]);
    // With a prefix, names that needed fixing alone are valid as they are.
    expect(set.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "m_get_weather",
        "m_get_weather_2",
        "m_class",
        "m_3d_render",
        "m_print",
      ]),
    );
    const result = await execute(
      '{"sum": m_add(a=1.5, b=2)["sum"], "class": m_class()["tool"], "metric": m_metric_100(2)}',
      { tools: set },
    );
    expect(result.ok && result.value).toEqual({ sum: 3.5, class: "class", metric: 200 });
  });
});

describe("HTTP+SSE fallback", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startHttpFixture("media", "--sse");
  });
  afterAll(() => server?.close());

  it("falls back to SSE when the server refuses the Streamable HTTP POST", async () => {
    await using set = await mcpTools({ url: server.url });
    expect(set.servers[0]!.transport).toBe("sse");
    const result = await execute('render_chart()["bytes"]', { tools: set });
    expect(result.ok && result.value).toBe(70);
  });

  it('uses only the transport asked for with transport: "streamable-http"', async () => {
    await expect(
      mcpTools({ url: server.url, transport: "streamable-http" }),
    ).rejects.toBeInstanceOf(McpConnectionError);
  });
});

describe("headers", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startHttpFixture("errors", "--http", { FIXTURE_TOKEN: "s3cret" });
  });
  afterAll(() => server?.close());

  it("sends the headers given, and says so when the server refuses the connection", async () => {
    await using set = await mcpTools({
      url: server.url,
      headers: { Authorization: "Bearer s3cret" },
    });
    const result = await execute('lookup_order("A-1")["total"]', { tools: set });
    expect(result.ok && result.value).toBe(42.5);
    const refused = await mcpTools({ url: server.url }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(McpConnectionError);
    expect((refused as Error).message).toContain(server.url);
  });
});

it("sends the headers on the SSE fallback too (stream and messages)", async () => {
  const server = await startHttpFixture("media", "--sse", { FIXTURE_TOKEN: "t0k" });
  try {
    await using set = await mcpTools({ url: server.url, headers: { Authorization: "Bearer t0k" } });
    expect(set.servers[0]!.transport).toBe("sse");
    const result = await execute('speak()["mimeType"]', { tools: set });
    expect(result.ok && result.value).toBe("audio/wav");
    await expect(mcpTools({ url: server.url })).rejects.toBeInstanceOf(McpConnectionError);
  } finally {
    await server.close();
  }
});

it("fails with McpConnectionError when nothing listens at the URL", async () => {
  const server = await startHttpFixture("media", "--http");
  const url = server.url;
  await server.close();
  await expect(mcpTools({ url })).rejects.toBeInstanceOf(McpConnectionError);
});
