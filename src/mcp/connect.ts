/**
 * Opening a client session to one MCP server: a local process over stdio, or a URL over
 * Streamable HTTP that falls back to the older HTTP+SSE transport when the server answers
 * the first POST with a 4xx (the spec's backwards-compatibility rule).
 */
import type { Stream } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import { McpConnectionError } from "./errors.js";

/** A server started as a child process, speaking MCP on its stdin/stdout. */
export interface McpStdioServer {
  command: string;
  args?: string[];
  /**
   * Extra environment variables. The process also gets a minimal safe environment
   * (`HOME`, `PATH`, `USER`, ...), not all of `process.env`: pass what the server needs.
   */
  env?: Record<string, string>;
  cwd?: string;
  /**
   * Where the server's stderr goes. Default `"pipe"`: kept (the last 8 KB) and quoted in
   * connection errors. `"inherit"` prints it on this process's stderr.
   */
  stderr?: "pipe" | "inherit" | "ignore";
}

/** A server reached over HTTP. */
export interface McpHttpServer {
  url: string | URL;
  /** Sent with every request, e.g. `{ Authorization: "Bearer ..." }`. */
  headers?: Record<string, string>;
  /**
   * `"auto"` (default) tries Streamable HTTP and falls back to HTTP+SSE on a 4xx answer;
   * `"streamable-http"` or `"sse"` use only that transport.
   */
  transport?: "auto" | "streamable-http" | "sse";
}

export type McpServerSpec = McpStdioServer | McpHttpServer;

/** An open session. `close()` ends it and, for stdio, stops the process. */
export interface McpConnection {
  client: Client;
  /** `"stdio"`, `"streamable-http"` or `"sse"`. */
  transport: "stdio" | "streamable-http" | "sse";
  /** The server's process id (stdio only). */
  pid?: number;
  /** The server's own name, else its command line or URL. */
  name: string;
  /** `name` quoted for messages. */
  label: string;
  /** The last output the server wrote to stderr (stdio with `stderr: "pipe"`). */
  stderrTail(): string;
  close(): Promise<void>;
}

const CLIENT_INFO = { name: "codemode", version: "0.1.0" };
const STDERR_KEEP = 8 * 1024;

export function isStdioSpec(spec: McpServerSpec): spec is McpStdioServer {
  return typeof (spec as McpStdioServer).command === "string";
}

/** Connects and initialises; throws McpConnectionError saying what went wrong. */
export async function connectMcp(
  spec: McpServerSpec,
  options: { timeoutMs: number },
): Promise<McpConnection> {
  if (typeof spec !== "object" || spec === null) {
    throw new InvalidOptionsError(
      "mcpTools() needs { command, args } for a stdio server or { url } for an HTTP server.",
    );
  }
  if (isStdioSpec(spec)) return connectStdio(spec, options.timeoutMs);
  const url = (spec as McpHttpServer).url;
  if (typeof url !== "string" && !(url instanceof URL)) {
    throw new InvalidOptionsError(
      "mcpTools() needs { command, args } for a stdio server or { url } for an HTTP server " +
        `(got keys: ${Object.keys(spec).join(", ") || "none"}).`,
    );
  }
  return connectHttp(spec as McpHttpServer, options.timeoutMs);
}

async function connectStdio(spec: McpStdioServer, timeoutMs: number): Promise<McpConnection> {
  if (spec.args !== undefined && !Array.isArray(spec.args)) {
    throw new InvalidOptionsError("mcpTools({ command, args }): args must be an array of strings.");
  }
  const mode = spec.stderr ?? "pipe";
  const transport = new StdioClientTransport({
    command: spec.command,
    args: spec.args ?? [],
    env: { ...getDefaultEnvironment(), ...(spec.env ?? {}) },
    ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    stderr: mode,
  });
  let tail = "";
  const stream: Stream | null = transport.stderr;
  stream?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-STDERR_KEEP);
  });
  const label = [spec.command, ...(spec.args ?? [])].join(" ");
  const client = new Client(CLIENT_INFO);
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (error) {
    await transport.close().catch(() => {});
    const stderr = tail.trim();
    throw new McpConnectionError(
      `Could not start MCP server \`${label}\`: ${errorText(error)}. Check the command, its ` +
        `arguments and that it speaks MCP on stdio.${stderr ? `\nServer stderr:\n${stderr}` : ""}`,
      { cause: error },
    );
  }
  const pid = transport.pid ?? undefined;
  return {
    client,
    transport: "stdio",
    ...(pid !== undefined ? { pid } : {}),
    ...serverNames(client, label),
    stderrTail: () => tail,
    close: () => closeStdio(client, pid),
  };
}

/** Closes the session; the SDK ends stdin, then SIGTERM, then SIGKILL. Waits until it is gone. */
async function closeStdio(client: Client, pid: number | undefined): Promise<void> {
  await client.close().catch(() => {});
  if (pid === undefined) return;
  const deadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(20);
  if (isAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

async function connectHttp(spec: McpHttpServer, timeoutMs: number): Promise<McpConnection> {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new InvalidOptionsError(`mcpTools({ url }): "${String(spec.url)}" is not a URL.`);
  }
  const mode = spec.transport ?? "auto";
  if (!["auto", "streamable-http", "sse"].includes(mode)) {
    throw new InvalidOptionsError(
      `mcpTools({ transport }) must be "auto", "streamable-http" or "sse" (got ${JSON.stringify(mode)}).`,
    );
  }
  const requestInit: RequestInit = spec.headers ? { headers: spec.headers } : {};
  const attempt = async (kind: "streamable-http" | "sse"): Promise<McpConnection> => {
    const transport: Transport =
      kind === "sse"
        ? // The SSE transport adds requestInit's headers to its event stream too.
          new SSEClientTransport(url, { requestInit })
        : new StreamableHTTPClientTransport(url, { requestInit });
    const client = new Client(CLIENT_INFO);
    try {
      await client.connect(transport, { timeout: timeoutMs });
    } catch (error) {
      await client.close().catch(() => {});
      throw error;
    }
    return {
      client,
      transport: kind,
      ...serverNames(client, url.href),
      stderrTail: () => "",
      close: () => client.close().catch(() => {}),
    };
  };
  try {
    if (mode === "sse") return await attempt("sse");
    try {
      return await attempt("streamable-http");
    } catch (error) {
      if (mode === "auto" && isClientErrorStatus(error)) return await attempt("sse");
      throw error;
    }
  } catch (error) {
    throw new McpConnectionError(
      `Could not connect to MCP server ${url.href}: ${errorText(error)}. Check the URL, ` +
        "that the server is running and, if it needs them, the headers.",
      { cause: error },
    );
  }
}

function isClientErrorStatus(error: unknown): boolean {
  if (error instanceof StreamableHTTPError) {
    return error.code !== undefined && error.code >= 400 && error.code < 500;
  }
  return /\b(400|404|405)\b/.test(errorText(error));
}

function serverNames(client: Client, fallback: string): { name: string; label: string } {
  const name = client.getServerVersion()?.name;
  return name ? { name, label: `"${name}"` } : { name: fallback, label: `\`${fallback}\`` };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
