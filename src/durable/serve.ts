/**
 * `serveDurable`: the worker. An HTTP/2 endpoint (what restate-server connects to) serving
 * the codemode workflow, plus any other Restate services you pass (e.g. a tool service).
 */
import "./polyfill.js";
import {
  createServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from "node:http2";
import type { AddressInfo } from "node:net";
import type {
  LoggerTransport,
  ServiceDefinition,
  VirtualObjectDefinition,
  WorkflowDefinition,
} from "@restatedev/restate-sdk";
import { InvalidOptionsError } from "../errors.js";
import { type RegisteredDeployment, registerDeployment } from "./admin.js";
import { createDurableService, type DurableServiceOptions } from "./service.js";

type AnyDefinition =
  | ServiceDefinition<string, unknown>
  | VirtualObjectDefinition<string, unknown>
  | WorkflowDefinition<string, unknown>;

export interface ServeDurableOptions extends Partial<DurableServiceOptions> {
  /** Port to listen on; `0` picks a free one. Default 9080. */
  port?: number;
  /**
   * Interface to bind. Default `127.0.0.1`: only a restate-server on the same machine
   * reaches it. `0.0.0.0` (or `::`) for a container or a server elsewhere; then set
   * `identityKeys` so only your Restate can call it.
   */
  host?: string;
  /**
   * Restate request identity public keys (`publickeyv1_…`): requests not signed by the
   * matching private key (restate-server's `request-identity-private-key-pem-file`) are
   * refused. Default none: every request that reaches the port is served.
   */
  identityKeys?: string[];
  /** Also serve these Restate services (for example `await createToolService(tools)`). */
  services?: AnyDefinition[];
  /**
   * Serve only `services`, without the codemode workflow (a machine that only runs tools).
   * Default false.
   */
  toolsOnly?: boolean;
  /** Register this endpoint with a Restate admin API (e.g. `http://localhost:9070`) once listening. */
  register?: string;
  /** The URL Restate should use to reach this worker when registering. Default `http://127.0.0.1:<port>`. */
  advertisedUrl?: string;
  /** Log SDK messages (replays, retries). Default: only warnings and errors. */
  verbose?: boolean;
}

export interface DurableWorker {
  port: number;
  /** The address it is bound to, as the OS reports it (`127.0.0.1`, `0.0.0.0`, `::`). */
  address: string;
  /**
   * The URL restate-server reaches it at: `advertisedUrl`, else `http://<host>:<port>`
   * (`127.0.0.1` when bound to every interface).
   */
  url: string;
  /** Set when `register` was given. */
  deployment?: RegisteredDeployment;
  close(): Promise<void>;
}

export async function serveDurable(options: ServeDurableOptions = {}): Promise<DurableWorker> {
  const port = options.port ?? 9080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionsError(`port must be a whole number from 0 to 65535 (got ${port}).`);
  }
  const services = await servedServices(options);
  const restate = await import("@restatedev/restate-sdk");
  const handler = restate.createEndpointHandler({
    services,
    ...(options.identityKeys?.length ? { identityKeys: options.identityKeys } : {}),
    ...(options.verbose ? {} : { logger: quietLogger() }),
  });
  const { address, port: bound, close } = await listen(handler, port, options.host ?? "127.0.0.1");
  const url = options.advertisedUrl ?? `http://${urlHost(address)}:${bound}`;
  const worker: DurableWorker = { port: bound, address, url, close };
  if (options.register) {
    try {
      worker.deployment = await registerDeployment(options.register, url);
    } catch (error) {
      await close();
      throw error;
    }
  }
  return worker;
}

/** The codemode workflow (made from the rest of the options) first, then `services`. */
async function servedServices(options: ServeDurableOptions): Promise<AnyDefinition[]> {
  const services: AnyDefinition[] = [...(options.services ?? [])];
  if (!options.toolsOnly) {
    if (!options.tools) {
      throw new InvalidOptionsError(
        "serveDurable({ tools }) needs the tools the agent may call (or toolsOnly with services).",
      );
    }
    const {
      port: _port,
      host: _host,
      services: _services,
      toolsOnly: _toolsOnly,
      register: _register,
      advertisedUrl: _advertisedUrl,
      verbose: _verbose,
      identityKeys: _identityKeys,
      ...serviceOptions
    } = options;
    services.unshift(
      (await createDurableService(
        serviceOptions as DurableServiceOptions,
      )) as unknown as AnyDefinition,
    );
  }
  if (services.length === 0) {
    throw new InvalidOptionsError("serveDurable({ toolsOnly: true }) needs at least one service.");
  }
  return services;
}

/** The SDK's log without `verbose`: warnings and errors only, each text once. */
function quietLogger(): LoggerTransport {
  const said = new Set<string>();
  return (meta, message, ...rest) => {
    if (meta.level !== "warn" && meta.level !== "error") return;
    // Some warnings come once per service; once is enough.
    const text = String(message);
    if (rest.length === 0 && said.has(text)) return;
    said.add(text);
    console.error(`[restate ${meta.level}]`, message, ...rest);
  };
}

/**
 * Listens on `host:port` over HTTP/2 (what restate-server speaks). `close` also ends the
 * open sessions: restate-server keeps them open, and `server.close` alone would wait on them.
 */
async function listen(
  handler: (request: Http2ServerRequest, response: Http2ServerResponse) => void,
  port: number,
  host: string,
): Promise<{ address: string; port: number; close: () => Promise<void> }> {
  const server: Http2Server = createServer(handler);
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: bound, address } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const session of sessions) session.destroy();
      server.close(() => resolve());
    });
  return { address, port: bound, close };
}

/** The host part of a URL for a bound address: loopback for "every interface", IPv6 bracketed. */
function urlHost(address: string): string {
  if (address === "0.0.0.0" || address === "::") return "127.0.0.1";
  return address.includes(":") ? `[${address}]` : address;
}
