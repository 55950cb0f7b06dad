/** Shared pieces of the chat server tests: scripted agents, NDJSON reading. */
import type { CallLlm, ChatMessage } from "codemode";
import {
  type ChatAgent,
  type ChatServer,
  type ChatStreamEvent,
  type StartChatServerOptions,
  startChatServer,
} from "codemode/server";
import { afterEach } from "vitest";
import { pyAfter } from "../helpers/python.js";
import { scriptedLlm } from "../helpers/scripted-llm.js";

/** A callLlm that answers with scripted replies, in order; `seen` gets each call's messages. */
export function scripted(replies: string[], seen?: ChatMessage[][]): CallLlm {
  const { callLlm } = scriptedLlm(replies, { usage: { inputTokens: 100, outputTokens: 20 } });
  return (model, system, messages, options) => {
    seen?.push(structuredClone(messages));
    return callLlm(model, system, messages, options);
  };
}

export const py = pyAfter("Here is the program:");

/**
 * `start(options)` for a test file: a chat server on a free loopback port (auth off), closed
 * after each test. Call once at the top level of the file.
 */
export function chatServers(): (
  options: Partial<StartChatServerOptions> & { agent: ChatAgent },
) => Promise<ChatServer> {
  const servers: ChatServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const server = await startChatServer({ port: 0, auth: false, ...options });
    servers.push(server);
    return server;
  };
}

/** A correct answer over the example data tools: summary plus one bar chart. */
export const REVENUE_CODE = `rows = fetch_data("sales_2024", columns=["region", "revenue"])
by_region = group_and_aggregate(rows, "region", {"revenue": "sum:revenue"})
ranked = sorted(by_region, key=lambda r: r["revenue"], reverse=True)
print("regions:", len(ranked))
chart = create_chart("bar", "Revenue by region", [r["region"] for r in ranked], [{"label": "Revenue", "data": [round(r["revenue"], 2) for r in ranked]}])
{"summary": f"**{ranked[0]['region']}** had the highest revenue.", "charts": [chart]}`;

/** The same question with a wrong dataset name: the tool raises ValueError. */
export const WRONG_DATASET_CODE = `rows = fetch_data("sales", columns=["region", "revenue"])
{"summary": "unreachable"}`;

/** Reads a whole NDJSON response into events. */
export async function readEvents(response: Response): Promise<ChatStreamEvent[]> {
  const text = await response.text();
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ChatStreamEvent);
}

/** Yields NDJSON events as they arrive. */
export async function* streamEvents(response: Response): AsyncGenerator<ChatStreamEvent> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) yield JSON.parse(line) as ChatStreamEvent;
      newline = buffer.indexOf("\n");
    }
    if (done) return;
  }
}
