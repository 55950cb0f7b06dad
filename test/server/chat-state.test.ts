/**
 * A chat remembers over real HTTP: the server keeps each chat's state (the variables its
 * programs left) under the chat id it made, hands the page only that id, and never lets one
 * chat see another's variables.
 */
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CallLlm, CodeModeAgent, defineTool } from "codemode";
import {
  type ChatDoneEvent,
  type ChatServer,
  type ChatStateStore,
  directoryChatStateStore,
} from "codemode/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { chatServers, py, readEvents } from "./helpers.js";

const start = chatServers();

/**
 * An agent whose model answers by the message: `remember X` stores `secret = lookup("X")`,
 * `also X` stores `kept_X = lookup("X")` (slowly for the name `slow`), `recall` uses `secret` when the prompt lists it and says so otherwise, `approve X` sets
 * `approved` through a tool that needs approval. `arrivals` lets two runs' lookups wait
 * for each other, so two chats are in flight at once.
 */
function rememberingAgent(options: { together?: number; slow?: string } = {}) {
  const prompts: string[] = [];
  const lookups: string[] = [];
  let waiting: (() => void)[] = [];
  const lookup = defineTool({
    name: "lookup",
    description: "Looks a value up.",
    inputSchema: z.object({ name: z.string() }),
    execute: async ({ name }) => {
      lookups.push(name);
      if (name === options.slow) await new Promise((resolve) => setTimeout(resolve, 400));
      if (options.together && lookups.length <= options.together) {
        // Both chats are inside a run before either answers.
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === options.together) {
            for (const go of waiting) go();
            waiting = [];
          }
        });
      }
      return `value of ${name}`;
    },
  });
  const stamp = defineTool({
    name: "stamp",
    description: "Stamps a value; needs approval.",
    inputSchema: z.object({ name: z.string() }),
    needsApproval: true,
    execute: ({ name }) => `stamped ${name}`,
  });
  const callLlm: CallLlm = async (_model, _system, messages) => {
    const last = messages.at(-1)!.content;
    prompts.push(last);
    const remember = /^remember (\w+)/.exec(last);
    if (remember) return py(`secret = lookup("${remember[1]}")\n{"summary": "kept " + secret}`);
    const also = /^also (\w+)/.exec(last);
    if (also)
      return py(`kept_${also[1]} = lookup("${also[1]}")\n{"summary": "also " + kept_${also[1]}}`);
    const approve = /^approve (\w+)/.exec(last);
    if (approve) return py(`approved = stamp("${approve[1]}")\n{"summary": approved}`);
    if (last.startsWith("recall")) {
      if (!last.includes("- secret: str")) return "Nothing to recall.";
      const extra = last.includes("- approved: str") ? ' + ", " + approved' : "";
      return py(`{"summary": "recalled " + secret${extra}}`);
    }
    return "?";
  };
  const agent = new CodeModeAgent({
    tools: [lookup, stamp],
    callLlm,
    model: "test:scripted",
    maxTurns: 3,
    isolation: "in-process",
  });
  return { agent, prompts, lookups };
}

async function say(server: ChatServer, message: string, chatId?: string): Promise<ChatDoneEvent> {
  const response = await fetch(`${server.url}api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message, ...(chatId !== undefined ? { chatId } : {}) }),
  });
  expect(response.status).toBe(200);
  const done = (await readEvents(response)).at(-1) as ChatDoneEvent;
  expect(done.type).toBe("done");
  return done;
}

describe("a chat's state on the server", () => {
  it("two messages of one chat share state; a concurrent chat with the same names keeps its own", async () => {
    const { agent, lookups } = rememberingAgent({ together: 2 });
    const server = await start({ agent });

    const [a1, b1] = await Promise.all([say(server, "remember ada"), say(server, "remember bo")]);
    expect(a1.result.summary).toBe("kept value of ada");
    expect(b1.result.summary).toBe("kept value of bo");
    expect(a1.chatId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b1.chatId).not.toBe(a1.chatId);
    // The state never leaves the server.
    expect(a1.result).not.toHaveProperty("state");

    const [a2, b2] = await Promise.all([
      say(server, "recall", a1.chatId),
      say(server, "recall", b1.chatId),
    ]);
    expect(a2.result.summary).toBe("recalled value of ada");
    expect(b2.result.summary).toBe("recalled value of bo");
    expect(a2.chatId).toBe(a1.chatId);
    expect(lookups).toEqual(["ada", "bo"]);

    // A chat without the id (another client) starts empty.
    const other = await say(server, "recall");
    expect(other.result.summary).toBe("Nothing to recall.");
    expect(other.chatId).not.toBe(a1.chatId);
  });

  it("two messages of one chat sent at once run one after the other, so neither loses the other's variables", async () => {
    const { agent, prompts, lookups } = rememberingAgent({ slow: "a" });
    const server = await start({ agent });
    const first = await say(server, "remember ada");

    const slow = say(server, "also a", first.chatId);
    await expect.poll(() => lookups.includes("a"), { timeout: 10_000, interval: 10 }).toBe(true);
    // Sent while "also a" is still in its slow lookup: it waits for that run's state.
    const quick = say(server, "also b", first.chatId);
    const [a, b] = await Promise.all([slow, quick]);
    expect([a.result.summary, b.result.summary]).toEqual(["also value of a", "also value of b"]);
    expect([a.chatId, b.chatId]).toEqual([first.chatId, first.chatId]);
    // "also b" was asked with what "also a" left.
    expect(prompts.find((p) => p.startsWith("also b"))).toContain("- kept_a: str");

    await say(server, "recall", first.chatId);
    const recall = prompts.at(-1)!;
    for (const name of ["secret", "kept_a", "kept_b"]) expect(recall).toContain(`- ${name}: str`);
  });

  it("a message that gives up while its chat is busy never runs, and does not hold up the next", async () => {
    const { agent, lookups } = rememberingAgent({ slow: "a" });
    const server = await start({ agent });
    const first = await say(server, "remember ada");
    const slow = say(server, "also a", first.chatId);
    await expect.poll(() => lookups.includes("a"), { timeout: 10_000, interval: 10 }).toBe(true);
    const leaving = new AbortController();
    const abandoned = fetch(`${server.url}api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "also b", chatId: first.chatId }),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaving.abort();
    await abandoned;
    const [a, c] = await Promise.all([slow, say(server, "also c", first.chatId)]);
    expect([a.result.summary, c.result.summary]).toEqual(["also value of a", "also value of c"]);
    expect(lookups).toEqual(["ada", "a", "c"]);
  });

  it("ignores a chat id the server did not make, and New chat (POST /api/forget) drops the state", async () => {
    const { agent } = rememberingAgent();
    const server = await start({ agent });
    const invented = "A".repeat(43);
    const first = await say(server, "remember ada", invented);
    expect(first.chatId).not.toBe(invented);

    const forget = await fetch(`${server.url}api/forget`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chatId: first.chatId }),
    });
    expect(await forget.json()).toEqual({ forgotten: true });
    const after = await say(server, "recall", first.chatId);
    expect(after.result.summary).toBe("Nothing to recall.");
    expect(after.chatId).not.toBe(first.chatId);

    const bad = await fetch(`${server.url}api/forget`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({}),
    });
    expect(bad.status).toBe(400);
  });

  it("keeps the state on disk across a restart, and through an approval", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codemode-chat-state-"));
    const chatStates: ChatStateStore = directoryChatStateStore(join(dir, "chats"));
    const first = rememberingAgent();
    const server1 = await start({ agent: first.agent, chatStates });
    const kept = await say(server1, "remember ada");
    await server1.close();
    const files = readdirSync(join(dir, "chats"));
    expect(files).toHaveLength(1);
    // Keyed by a hash: the file name does not give the chat id away.
    expect(files[0]).not.toContain(kept.chatId);
    expect(statSync(join(dir, "chats", files[0]!)).mode & 0o777).toBe(0o600);

    const second = rememberingAgent();
    const server2 = await start({
      agent: second.agent,
      chatStates: directoryChatStateStore(join(dir, "chats")),
    });
    const suspended = await say(server2, "approve ada", kept.chatId);
    expect(suspended.result.status).toBe("suspended");
    const approval = suspended.result.pendingApprovals![0]!;
    const resumed = await fetch(`${server2.url}api/approvals`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        continuationId: suspended.continuationId,
        decisions: { [approval.id]: true },
      }),
    });
    const finished = (await readEvents(resumed)).at(-1) as ChatDoneEvent;
    expect(finished.result.summary).toBe("stamped ada");

    const recalled = await say(server2, "recall", kept.chatId);
    expect(recalled.result.summary).toBe("recalled value of ada, stamped ada");
    expect(second.lookups).toEqual([]);
  });

  it("a state past the store's age limit is forgotten", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codemode-chat-state-age-"));
    const store = directoryChatStateStore(dir, { maxAgeMs: 60_000 });
    const key = "a".repeat(64);
    await store.save(key, { state: { variables: { x: 1 }, dropped: [] }, updatedAt: Date.now() });
    expect((await store.load(key))?.state).toEqual({ variables: { x: 1 }, dropped: [] });
    await store.save(key, { state: { variables: {}, dropped: [] }, updatedAt: 0 });
    expect(await store.load(key)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});
