/**
 * codemode's MCP server over Streamable HTTP, on loopback by default. One MCP session per
 * client (the `Mcp-Session-Id` header), so cancellations reach the run they belong to.
 * Host and Origin headers are checked: a web page in a browser on this machine cannot
 * drive the server through DNS rebinding.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { InvalidOptionsError } from "../errors.js";
import { buildMcpServer, type CodeModeMcpServerOptions, prepareCodeModeMcp } from "./server.js";

export interface McpHttpListenOptions {
  /** Default `0`: a free port (read it from `url`). */
  port?: number;
  /** Default `"127.0.0.1"`. Anything else exposes code execution to the network: be sure. */
  host?: string;
  /** Path of the endpoint. Default `"/mcp"`. */
  path?: string;
  /** Most sessions kept open at once; the least recently used is closed past it. Default 100. */
  maxSessions?: number;
}

export interface CodeModeMcpHttpServer {
  /** The endpoint to give clients, e.g. `http://127.0.0.1:43125/mcp`. */
  url: string;
  port: number;
  /** Open sessions right now. */
  sessionCount(): number;
  /** Ends every session and stops listening. */
  close(): Promise<void>;
}

interface Session {
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  lastUsed: number;
}

/** Serves `createCodeModeMcpServer(options)` over Streamable HTTP until `close()`. */
export async function serveCodeModeMcpHttp(
  options: CodeModeMcpServerOptions,
  listen: McpHttpListenOptions = {},
): Promise<CodeModeMcpHttpServer> {
  const prepared = prepareCodeModeMcp(options);
  const host = listen.host ?? "127.0.0.1";
  const path = listen.path ?? "/mcp";
  const maxSessions = listen.maxSessions ?? 100;
  const port = listen.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionsError(`port must be a whole number from 0 to 65535 (got ${port}).`);
  }
  const sessions = new Map<string, Session>();
  let allowedHosts: string[] = [];
  let allowedOrigins: string[] = [];

  const closeSession = async (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.server.close().catch(() => {});
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== path) {
      sendJsonError(res, 404, `Not found: the MCP endpoint is ${path}`);
      return;
    }
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const session = sessions.get(sessionId);
      if (!session) {
        sendJsonError(res, 404, "Unknown or expired session: initialize a new one.");
        return;
      }
      session.lastUsed = Date.now();
      await session.transport.handleRequest(req, res);
      return;
    }
    if (req.method !== "POST") {
      sendJsonError(res, 400, "Send an initialize request (POST) first to open a session.");
      return;
    }
    const server = buildMcpServer(prepared);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableDnsRebindingProtection: true,
      allowedHosts,
      allowedOrigins,
      onsessioninitialized: (id) => {
        sessions.set(id, { server, transport, lastUsed: Date.now() });
        if (sessions.size > maxSessions) {
          const oldest = [...sessions].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
          if (oldest) void closeSession(oldest[0]);
        }
      },
      onsessionclosed: (id) => void closeSession(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) void closeSession(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    // Not an initialize request: the transport refused it and no session exists.
    if (!transport.sessionId) await server.close().catch(() => {});
  };

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJsonError(res, 500, String(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const actualPort = (httpServer.address() as AddressInfo).port;
  const hostInUrl = host.includes(":") ? `[${host}]` : host;
  allowedHosts = [`${hostInUrl}:${actualPort}`, `localhost:${actualPort}`];
  allowedOrigins = allowedHosts.map((h) => `http://${h}`);
  const serverUrl = `http://${hostInUrl}:${actualPort}${path}`;
  return {
    url: serverUrl,
    port: actualPort,
    sessionCount: () => sessions.size,
    close: async () => {
      await Promise.all([...sessions.keys()].map(closeSession));
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

function sendJsonError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}
