/**
 * mcpTools() against real MCP servers started over stdio: a server with 120 tools listed
 * in pages, one whose tools fail, one that returns media, one that hangs.
 */
import { execute, pythonSignature, ToolError } from "codemode";
import { McpConnectionError, type McpToolSet, mcpToolSets, mcpTools } from "codemode/mcp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive, stdioFixture } from "./helpers.js";

/** Generous on a loaded machine; polling returns as soon as the condition holds. */
const WAIT = { timeout: 10_000, interval: 20 };

describe("a server with 120 tools in pages of 25", () => {
  let set: McpToolSet;
  beforeAll(async () => {
    set = await mcpTools(stdioFixture("many-tools"));
  });
  afterAll(() => set?.close());

  it("lists every tool across all pages", () => {
    expect(set).toHaveLength(120);
    expect(set.map((t) => t.name)).toContain("metric_112");
    expect(set.skipped).toEqual([]);
    expect(set.servers).toEqual([{ name: "many-tools", transport: "stdio", pid: set.pid }]);
  });

  it("gives every tool a Python name and reports each rename", () => {
    const names = set.map((t) => t.name);
    expect(new Set(names).size).toBe(120);
    for (const name of names) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    // The exact spelling keeps its name; the dashed twin is renamed deterministically.
    expect(set.renamed).toEqual([
      {
        from: "get-weather",
        to: "get_weather_2",
        reason: '"get_weather" is taken by MCP tool "get_weather"',
      },
      { from: "class", to: "class_", reason: "a Python keyword" },
      { from: "3d-render", to: "_3d_render", reason: "not a Python identifier" },
      { from: "print", to: "print_", reason: "would hide a Python builtin" },
    ]);
    expect(set.mcpNames.get("get_weather_2")).toBe("get-weather");
    const dashed = set.find((t) => t.name === "get_weather_2")!;
    expect(dashed.description).toContain('MCP tool "get-weather"');
  });

  it("renames arguments Python cannot pass and maps them back for the server", async () => {
    const search = set.find((t) => t.name === "search")!;
    expect(pythonSignature(search)).toMatch(
      /^search\(from_: str, to: str \| None = None, \*, user_id: int\)/,
    );
    expect(search.description).toContain('from_ (MCP "from")');
    const result = await execute('search("2024-01-01", user_id=7)', { tools: set });
    expect(result.ok && result.value).toEqual({
      tool: "search",
      args: { from: "2024-01-01", "user-id": 7 },
    });
  });

  it("calls renamed tools under their Python names, and returns structured content", async () => {
    const result = await execute(
      [
        'w = get_weather_2("Paris")',
        'u = get_weather("Oslo")',
        '{"w": w["tool"], "u": u["tool"], "k": class_()["tool"], "d": _3d_render()["tool"],',
        ' "sum": add(2, 3)["sum"], "metric": metric_007(3)}',
      ].join("\n"),
      { tools: set },
    );
    expect(result.ok && result.value).toEqual({
      w: "get-weather",
      u: "get_weather",
      k: "class",
      d: "3d-render",
      sum: 5,
      metric: 21,
    });
  });

  it("shows the output schema as the return type", () => {
    const add = set.find((t) => t.name === "add")!;
    expect(add.outputSchema).toMatchObject({ properties: { sum: { type: "number" } } });
    expect(pythonSignature(add)).not.toMatch(/-> Any$/);
  });

  it("runs parallel_map over an MCP tool (concurrent requests on one session)", async () => {
    const result = await execute("parallel_map(metric_010, [1, 2, 3, 4, 5, 6])", { tools: set });
    expect(result.ok && result.value).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it("rejects wrong arguments before the server is called", async () => {
    const result = await execute('metric_001("lots")', { tools: set });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.type).toBe("TypeError");
    expect(result.toolCalls[0]!.error?.message).toMatch(/factor/);
  });
});

describe("a server whose tools fail", () => {
  let set: McpToolSet;
  beforeAll(async () => {
    set = await mcpTools(stdioFixture("errors"));
  });
  afterAll(() => set?.close());

  it("raises isError results in Python with the server's message, catchable", async () => {
    const result = await execute(
      [
        'found = lookup_order("A-1")',
        "try:",
        '    lookup_order("Z-9")',
        "    missing = None",
        "except RuntimeError as e:",
        "    missing = str(e)",
        '{"found": found, "missing": missing}',
      ].join("\n"),
      { tools: set },
    );
    expect(result.ok).toBe(true);
    const value = (result.ok ? result.value : {}) as { found: unknown; missing: string };
    expect(value.found).toEqual({ id: "A-1", total: 42.5 });
    expect(value.missing).toContain("order Z-9 not found");
  });

  it("raises a JSON-RPC error from a throwing handler as RuntimeError; uncaught, it ends the run", async () => {
    const result = await execute("x = 1\ncrash()\n", { tools: set });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe("RuntimeError");
    expect(result.error.message).toContain("database connection lost");
    expect(result.error.line).toBe(2);
  });

  it("throws a ToolError when called directly from JS", async () => {
    const lookup = set.find((t) => t.name === "lookup_order")!;
    const signal = new AbortController().signal;
    await expect(lookup.execute({ id: "nope" }, { signal, callSeq: 1 })).rejects.toBeInstanceOf(
      ToolError,
    );
  });
});

describe("a server that returns media", () => {
  let set: McpToolSet;
  beforeAll(async () => {
    set = await mcpTools(stdioFixture("media"));
  });
  afterAll(() => set?.close());

  it("describes images, audio and resources instead of passing their bytes", async () => {
    const result = await execute(
      '{"img": render_chart(), "audio": speak(), "mixed": chart_with_caption(), ' +
        '"notes": read_notes(), "lines": list_lines(), "link": link()}',
      { tools: set },
    );
    expect(result.ok).toBe(true);
    const v = (result.ok ? result.value : {}) as Record<string, unknown>;
    expect(v.img).toMatchObject({ type: "image", mimeType: "image/png", bytes: 70 });
    expect((v.img as { note: string }).note).toMatch(/image content \(70 bytes\)/);
    expect(v.audio).toMatchObject({ type: "audio", mimeType: "audio/wav", bytes: 6 });
    expect(v.mixed).toEqual([
      "Revenue by month",
      expect.objectContaining({ type: "image", bytes: 70 }),
    ]);
    expect(v.notes).toEqual({
      type: "resource",
      uri: "file:///notes.md",
      mimeType: "text/markdown",
      text: "# Notes",
    });
    expect(v.lines).toEqual(["first", { n: 2 }]);
    expect(v.link).toEqual({
      type: "resource_link",
      uri: "file:///big.csv",
      name: "big.csv",
      mimeType: "text/csv",
    });
  });
});

describe("a server that hangs", () => {
  let set: McpToolSet;
  beforeAll(async () => {
    set = await mcpTools({ ...stdioFixture("slow"), timeoutMs: 400 });
  });
  afterAll(() => set?.close());

  it("times the call out as a catchable TimeoutError, cancels it on the server, and goes on", async () => {
    const result = await execute(
      [
        "try:",
        "    hang()",
        '    outcome = "answered"',
        "except TimeoutError as e:",
        '    outcome = "timed out"',
        '{"outcome": outcome, "after": ping()}',
      ].join("\n"),
      { tools: set },
    );
    expect(result.ok && result.value).toEqual({ outcome: "timed out", after: "pong" });
    expect(result.toolCalls[0]).toMatchObject({
      name: "hang",
      ok: false,
      error: { type: "TimeoutError" },
    });
    const next = await execute("cancellations()", { tools: set });
    expect(next.ok && next.value).toBeGreaterThanOrEqual(1);
  });

  it("ends an uncaught timeout with a typed error; the next run works", async () => {
    const result = await execute("hang()", { tools: set });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.type).toBe("TimeoutError");
    expect(!result.ok && result.error.message).toMatch(/hang\(\) did not finish within 400 ms/);
    const next = await execute("ping()", { tools: set });
    expect(next.ok && next.value).toBe("pong");
  });

  it("cancels the MCP request when the run is aborted", async () => {
    const slow = await mcpTools({ ...stdioFixture("slow"), timeoutMs: 60_000 });
    try {
      const controller = new AbortController();
      const count = (tool: string) => async () => {
        const r = await execute(`${tool}()`, { tools: slow });
        return r.ok ? Number(r.value) : 0;
      };
      const pending = execute("hang()", { tools: slow, signal: controller.signal });
      // Abort once the call is in flight at the server.
      await expect.poll(count("hangs"), WAIT).toBe(1);
      controller.abort();
      const result = await pending;
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.type).toBe("CancelledError");
      // The server saw the cancellation notification for the in-flight call.
      await expect.poll(count("cancellations"), WAIT).toBe(1);
    } finally {
      await slow.close();
    }
  });
});

describe("closing and connecting", () => {
  it("close() stops the server process, and calls afterwards fail clearly", async () => {
    const set = await mcpTools(stdioFixture("media"));
    const pid = set.pid!;
    expect(isAlive(pid)).toBe(true);
    await set.close();
    expect(isAlive(pid)).toBe(false);
    await set.close(); // twice is fine
    const result = await execute("render_chart()", { tools: set });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toMatch(/render_chart/);
  });

  it("supports await using", async () => {
    let pid = 0;
    {
      await using set = await mcpTools(stdioFixture("media"));
      pid = set.pid!;
      expect(isAlive(pid)).toBe(true);
    }
    expect(isAlive(pid)).toBe(false);
  });

  it("mcpToolSets prefixes each server's tools by its key and closes them all", async () => {
    const set = await mcpToolSets({
      shop: stdioFixture("errors"),
      media: stdioFixture("media"),
    });
    const pids = set.servers.map((s) => s.pid!);
    try {
      expect(set.map((t) => t.name)).toEqual(
        expect.arrayContaining(["shop_lookup_order", "shop_crash", "media_render_chart"]),
      );
      expect(set.servers.map((s) => [s.name, s.prefix])).toEqual([
        ["errors", "shop"],
        ["media", "media"],
      ]);
      const result = await execute(
        'order = shop_lookup_order("A-1")\n{"total": order["total"], "img": media_render_chart()["type"]}',
        { tools: set },
      );
      expect(result.ok && result.value).toEqual({ total: 42.5, img: "image" });
    } finally {
      await set.close();
    }
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it("include keeps only some tools; reservedNames steers clear of the host's own names", async () => {
    await using set = await mcpTools({
      ...stdioFixture("many-tools"),
      include: ["add", "get_weather", "get-weather"],
      reservedNames: ["add"],
    });
    expect(set.map((t) => t.name)).toEqual(["get_weather_2", "get_weather", "add_2"]);
    expect(set.renamed.map((r) => [r.from, r.to])).toEqual([
      ["get-weather", "get_weather_2"],
      ["add", "add_2"],
    ]);
  });

  it("a server that dies mid-session makes calls fail with a clear error, not a hang", async () => {
    await using set = await mcpTools(stdioFixture("media"));
    process.kill(set.pid!, "SIGKILL");
    // Called at once: a request sent before the client sees the exit fails when it does.
    const result = await execute("render_chart()", { tools: set });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.type).toBe("RuntimeError");
    expect(!result.ok && result.error.message).toMatch(/render_chart.*no longer connected/);
  });

  it("fails with McpConnectionError for a command that does not exist", async () => {
    await expect(mcpTools({ command: "codemode-no-such-server-xyz" })).rejects.toBeInstanceOf(
      McpConnectionError,
    );
  });

  it("quotes the stderr of a server that dies on start", async () => {
    const error = await mcpTools({
      command: process.execPath,
      args: ["-e", 'process.stderr.write("missing WEATHER_API_KEY\\n"); process.exit(1)'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpConnectionError);
    expect((error as Error).message).toContain("missing WEATHER_API_KEY");
  });

  it("rejects options that name no server", async () => {
    await expect(mcpTools({} as never)).rejects.toThrow(/command, args.*url/);
  });
});
