/**
 * Local HTTP servers that speak just enough of the OpenAI chat-completions and Anthropic
 * messages protocols for the default `CallLlm` to talk to them. Each records its requests.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What the server sends back; `"hang"` never answers (until the server closes). */
export type FakeReply =
  | { status?: number; headers?: Record<string, string>; body?: unknown }
  | "hang";

export type FakeHandler = (request: RecordedRequest, index: number) => FakeReply;

export interface FakeServer {
  /** `http://127.0.0.1:<port>/v1`, what a provider's base URL should be. */
  baseURL: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const request: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: raw ? JSON.parse(raw) : undefined,
      };
      requests.push(request);
      const reply = handler(request, requests.length - 1);
      if (reply === "hang") return;
      res.writeHead(reply.status ?? 200, {
        "content-type": "application/json",
        ...reply.headers,
      });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A non-streaming `POST /v1/chat/completions` answer. */
export function openAiChatBody(
  text: string | null,
  usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
) {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "test-model",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text },
        finish_reason: "stop",
      },
    ],
    usage,
  };
}

/** A `POST /v1/messages` answer. */
export function anthropicBody(text: string, usage = { input_tokens: 21, output_tokens: 8 }) {
  return {
    id: "msg_test",
    type: "message",
    role: "assistant",
    model: "claude-test",
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage,
  };
}

/** An OpenAI-style error body, which both providers' SDKs can read a message from. */
export function errorBody(message: string, type = "error") {
  return { type: "error", error: { type, message } };
}
