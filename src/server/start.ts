import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { InvalidOptionsError } from "../errors.js";
import { createChatApp } from "./app.js";
import type { ChatAppOptions } from "./types.js";

export interface StartChatServerOptions extends ChatAppOptions {
  /** Port to listen on; `0` picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default `"127.0.0.1"` (this machine only). */
  hostname?: string;
}

export interface ChatServer {
  /** Where the page is, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  port: number;
  /**
   * Stops accepting connections, cancels running chats and waits for the server to close.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** Starts the chat app on a Node HTTP server. */
export async function startChatServer(options: StartChatServerOptions): Promise<ChatServer> {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionsError(`port must be a whole number from 0 to 65535 (got ${port}).`);
  }
  const hostname = options.hostname ?? "127.0.0.1";
  const app = createChatApp(options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname }, () => resolve(s));
    s.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new InvalidOptionsError(
              `Port ${port} on ${hostname} is already in use. Pass another --port (0 picks a free one).`,
              { cause: error },
            )
          : error,
      );
    });
  });
  // Slow clients must not hold a connection forever while sending headers or a body.
  if ("headersTimeout" in server) {
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
  }
  const address = server.address() as AddressInfo;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const shownHost = host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host;
  // Closing twice (a `finally` and a signal handler, say) waits for the same close.
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}/`,
    port: address.port,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Open streams are closed too, which aborts their runs.
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      return closing;
    },
  };
}
