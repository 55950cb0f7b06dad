/**
 * Approvals through the chat API over real HTTP: a run that reaches a call needing approval
 * ends its stream with `done` (suspended) and a continuationId; `POST /api/approvals`
 * resumes it from the server's store and streams the rest. Each stored run resumes once,
 * and a new server on the same store directory and secret resumes what the old one left.
 */
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentEvent, CodeModeAgent } from "codemode";
import {
  type ChatAgent,
  type ChatDoneEvent,
  type ChatServer,
  type ChatStreamEvent,
  directoryContinuationStore,
} from "codemode/server";
import { describe, expect, it } from "vitest";
import { emailTools } from "../helpers/email-tools.js";
import { chatServers, py, readEvents, scripted } from "./helpers.js";

const start = chatServers();

const SECRET = "chat-approvals-test-secret-0123456789";

const SEND = `try:
    send_email(to="ada@example.com", subject="Your refund")
    status = "sent"
except PermissionError as e:
    status = "not sent: " + str(e)
{"summary": status}`;

const SEND_TWICE = `send_email(to="ada@example.com", subject="First")
send_email(to="bob@example.com", subject="Second")
{"summary": "both sent"}`;

function emailAgent(sent: string[], replies: string[]) {
  const agent: ChatAgent = new CodeModeAgent({
    tools: emailTools(sent).tools,
    callLlm: scripted(replies),
    model: "test:scripted",
    continuationSecret: SECRET,
  });
  return agent;
}

const post = (server: ChatServer, path: string, body: unknown, headers = {}) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

function lastDone(events: ChatStreamEvent[]): ChatDoneEvent {
  const done = events.at(-1);
  if (done?.type !== "done") throw new Error(`the stream ended with ${JSON.stringify(done)}`);
  return done;
}

/** Asks, and returns the suspended run's `done` event and every event before it. */
async function suspendedChat(server: ChatServer, message = "Tell Ada her refund is done.") {
  const response = await post(server, "api/chat", { message });
  expect(response.status).toBe(200);
  const events = await readEvents(response);
  const done = lastDone(events);
  expect(done.result.status).toBe("suspended");
  return { events, done };
}

const approvalOf = (done: ChatDoneEvent) => done.result.pendingApprovals?.[0]?.id ?? "";

/** Decides the suspended run's first approval and reads the resumed stream. */
async function decide(
  server: ChatServer,
  done: ChatDoneEvent,
  decision: boolean | { approved: boolean; reason?: string } = true,
) {
  const response = await post(server, "api/approvals", {
    continuationId: done.continuationId,
    decisions: { [approvalOf(done)]: decision },
  });
  expect(response.status).toBe(200);
  return readEvents(response);
}

const tempDir = () => mkdtempSync(join(tmpdir(), "codemode-chat-approvals-"));

describe("approvals in the chat API", () => {
  it("streams approval_requested and done (suspended) with a continuationId; the tool has not run", async () => {
    const sent: string[] = [];
    const dir = tempDir();
    const server = await start({
      agent: emailAgent(sent, [py(SEND)]),
      store: directoryContinuationStore(dir),
    });
    const { events, done } = await suspendedChat(server);

    const requested = events.find((e) => e.type === "approval_requested") as Extract<
      AgentEvent,
      { type: "approval_requested" }
    >;
    expect(requested.approvals).toEqual([
      expect.objectContaining({
        tool: "send_email",
        args: { to: "ada@example.com", subject: "Your refund" },
        line: 2,
      }),
    ]);
    expect(done.result.pendingApprovals).toEqual([
      {
        id: requested.approvals[0]!.id,
        tool: "send_email",
        args: { to: "ada@example.com", subject: "Your refund" },
        line: 2,
      },
    ]);
    expect(done.continuationId).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(done.resumeUnavailable).toBeUndefined();
    // The signed continuation stays on the server, in the store.
    expect(done.result).not.toHaveProperty("continuation");
    expect(JSON.stringify(events)).not.toContain("cmc1.");
    expect(sent).toEqual([]);
    const file = join(dir, `${done.continuationId}.json`);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("POST /api/approvals resumes the run and streams the rest; the tool runs once", async () => {
    const sent: string[] = [];
    const dir = tempDir();
    const server = await start({
      agent: emailAgent(sent, [py(SEND)]),
      store: directoryContinuationStore(dir),
    });
    const { done } = await suspendedChat(server);
    const id = approvalOf(done);

    const response = await post(server, "api/approvals", {
      continuationId: done.continuationId,
      decisions: { [id]: true },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const events = await readEvents(response);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("approval_decided");
    expect(events[0]).toMatchObject({ id, tool: "send_email", approved: true });
    expect(types).toContain("tool_result");
    const finished = lastDone(events);
    expect(finished.result).toMatchObject({ status: "done", summary: "sent", error: null });
    expect(finished.continuationId).toBeUndefined();
    expect(sent).toEqual(["ada@example.com"]);
    // Resumed: the record is gone from the store.
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a denial with a reason raises PermissionError, which the program catches", async () => {
    const sent: string[] = [];
    const server = await start({ agent: emailAgent(sent, [py(SEND)]) });
    const { done } = await suspendedChat(server);
    const id = approvalOf(done);
    const events = await decide(server, done, {
      approved: false,
      reason: "not before the refund clears",
    });
    expect(events[0]).toMatchObject({
      id,
      type: "approval_decided",
      approved: false,
      reason: "not before the refund clears",
    });
    expect(lastDone(events).result).toMatchObject({
      status: "done",
      summary: "not sent: send_email() was not approved: not before the refund clears",
    });
    expect(sent).toEqual([]);
  });

  it("refuses a second resume of the same run with 410, even when two arrive at once", async () => {
    const sent: string[] = [];
    const server = await start({ agent: emailAgent(sent, [py(SEND), py(SEND)]) });
    const { done } = await suspendedChat(server);
    const body = { continuationId: done.continuationId, decisions: { [approvalOf(done)]: true } };
    const [a, b] = await Promise.all([
      post(server, "api/approvals", body),
      post(server, "api/approvals", body),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 410]);
    const refused = a.status === 410 ? a : b;
    const resumed = a.status === 410 ? b : a;
    expect(lastDone(await readEvents(resumed)).result.summary).toBe("sent");
    expect(await refused.json()).toEqual({
      error: {
        code: "APPROVAL_GONE",
        message: expect.stringMatching(/already decided .*Ask again/),
      },
    });

    const again = await post(server, "api/approvals", body);
    expect(again.status).toBe(410);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("APPROVAL_GONE");
    expect(sent).toEqual(["ada@example.com"]);
  });

  it("survives a restart: a new server on the same store directory and secret resumes the run", async () => {
    const sent: string[] = [];
    const dir = tempDir();
    const first = await start({
      agent: emailAgent(sent, [py(SEND)]),
      store: directoryContinuationStore(dir),
    });
    const { done } = await suspendedChat(first);
    await first.close();

    // Everything new: agent (same tools and secret), store object, server, port.
    const second = await start({
      agent: emailAgent(sent, []),
      store: directoryContinuationStore(dir),
    });
    expect(second.url).not.toBe(first.url);
    const events = await decide(second, done);
    expect(lastDone(events).result).toMatchObject({ status: "done", summary: "sent" });
    expect(sent).toEqual(["ada@example.com"]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a resumed run can suspend again, with a new continuationId", async () => {
    const sent: string[] = [];
    const server = await start({ agent: emailAgent(sent, [py(SEND_TWICE)]) });
    const { done } = await suspendedChat(server);
    const second = lastDone(await decide(server, done));
    expect(second.result.status).toBe("suspended");
    expect(second.result.pendingApprovals?.[0]).toMatchObject({
      tool: "send_email",
      args: { to: "bob@example.com", subject: "Second" },
    });
    expect(second.continuationId).toBeDefined();
    expect(second.continuationId).not.toBe(done.continuationId);
    expect(sent).toEqual(["ada@example.com"]);

    const third = lastDone(await decide(server, second));
    expect(third.result).toMatchObject({ status: "done", summary: "both sent" });
    expect(sent).toEqual(["ada@example.com", "bob@example.com"]);
  });

  it("answers one JSON result with ?stream=false", async () => {
    const sent: string[] = [];
    const server = await start({ agent: emailAgent(sent, [py(SEND)]) });
    const asked = await post(server, "api/chat?stream=false", { message: "Email Ada." });
    const body = (await asked.json()) as {
      result: ChatDoneEvent["result"];
      continuationId: string;
    };
    expect(body.result.status).toBe("suspended");
    expect(body.result).not.toHaveProperty("continuation");
    const resumed = await post(server, "api/approvals?stream=false", {
      continuationId: body.continuationId,
      decisions: { [body.result.pendingApprovals![0]!.id]: false },
    });
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({
      result: { status: "done", summary: "not sent: send_email() was not approved" },
    });
  });

  it("validates the request: JSON, the id, every decision, nothing extra", async () => {
    const sent: string[] = [];
    const server = await start({ agent: emailAgent(sent, [py(SEND)]) });
    const { done } = await suspendedChat(server);
    const id = approvalOf(done);
    const error = async (body: unknown) => {
      const response = await post(server, "api/approvals", body);
      return { status: response.status, ...((await response.json()) as { error: object }).error };
    };

    expect(await error("{nope")).toMatchObject({ status: 400, code: "INVALID_JSON" });
    expect(await error({ decisions: {} })).toMatchObject({
      status: 400,
      code: "INVALID_REQUEST",
      message: expect.stringContaining("continuationId"),
    });
    expect(await error({ continuationId: "../../etc/passwd", decisions: {} })).toMatchObject({
      status: 400,
      message: expect.stringContaining("not an id this server made"),
    });
    expect(
      await error({ continuationId: done.continuationId, decisions: { [id]: "yes" } }),
    ).toMatchObject({ status: 400, message: expect.stringContaining(`decisions.${id}`) });
    expect(
      await error({
        continuationId: done.continuationId,
        decisions: { [id]: { approved: false, reason: "x".repeat(2001) } },
      }),
    ).toMatchObject({ status: 400, message: expect.stringContaining("longer than 2000") });
    expect(await error({ continuationId: done.continuationId, decisions: {} })).toMatchObject({
      status: 400,
      message: expect.stringContaining(`no decision for approval ${id} (send_email())`),
    });
    expect(
      await error({ continuationId: done.continuationId, decisions: { [id]: true, other: true } }),
    ).toMatchObject({ status: 400, message: expect.stringContaining('"other" is not one of') });
    expect(
      await error({ continuationId: "0123456789abcdef", decisions: { [id]: true } }),
    ).toMatchObject({ status: 410, code: "APPROVAL_GONE" });
    const big = await post(server, "api/approvals", "x".repeat(1024 * 1024 + 10));
    expect(big.status).toBe(413);

    // None of that used up the run.
    expect(lastDone(await decide(server, done)).result.summary).toBe("sent");
  });

  it("goes through the same auth as /api/chat", async () => {
    const sent: string[] = [];
    const server = await start({
      agent: emailAgent(sent, [py(SEND)]),
      auth: { token: "approvals-token-123" },
    });
    const bearer = { authorization: "Bearer approvals-token-123" };
    const response = await post(server, "api/chat", { message: "Email Ada." }, bearer);
    const done = lastDone(await readEvents(response));
    const body = { continuationId: done.continuationId, decisions: { [approvalOf(done)]: true } };
    const denied = await post(server, "api/approvals", body);
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await post(server, "api/approvals", body, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    expect(sent).toEqual([]);
    const allowed = await post(server, "api/approvals", body, bearer);
    expect(lastDone(await readEvents(allowed)).result.summary).toBe("sent");
  });

  it("scrubs secrets from the approval's arguments, while the run keeps the real value", async () => {
    const sent: string[] = [];
    const secret = "s3cr3t-value-in-args";
    const code = `send_email(to="${secret}@example.com", subject="hi")
{"summary": "done"}`;
    const server = await start({ agent: emailAgent(sent, [py(code)]), secrets: [secret] });
    const { events, done } = await suspendedChat(server);
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(done.result.pendingApprovals?.[0]?.args).toEqual({
      to: "[redacted]@example.com",
      subject: "hi",
    });
    await decide(server, done);
    expect(sent).toEqual([`${secret}@example.com`]);
  });

  it("without agent.resume, a suspended run says why it cannot be approved, and the route answers 501", async () => {
    const sent: string[] = [];
    const inner = new CodeModeAgent({
      tools: emailTools(sent).tools,
      callLlm: scripted([py(SEND)]),
    });
    const agent: ChatAgent = {
      run: (message, history, options) => inner.run(message, history, options),
      toolDescriptions: () => inner.toolDescriptions(),
      usesDurableTools: () => false,
    };
    const server = await start({ agent });
    const { done } = await suspendedChat(server);
    expect(done.continuationId).toBeUndefined();
    expect(done.resumeUnavailable).toMatch(/cannot resume runs/);
    const response = await post(server, "api/approvals", {
      continuationId: "0123456789abcdef",
      decisions: {},
    });
    expect(response.status).toBe(501);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "RESUME_NOT_SUPPORTED",
    );
  });
});

describe("what runs once, through the chat server", () => {
  it("an approved send is replayed by the retry (not asked again), and a failed run's done event lists its effects", async () => {
    const sent: string[] = [];
    const failing = 'send_email(to="ada@example.com", subject="Refund")\nd = {}\nd["missing"]';
    const server = await start({
      agent: new CodeModeAgent({
        tools: emailTools(sent).tools,
        callLlm: scripted([py(failing), py(failing)]),
        model: "test:scripted",
        continuationSecret: SECRET,
        maxRetries: 1,
      }),
    });
    const { done } = await suspendedChat(server, "Email Ada about her refund.");
    const events = await decide(server, done);
    const result = lastDone(events).result;
    expect(result.status).toBe("failed");
    // The retry replayed the approved send: no second approval, no second email.
    expect(events.some((e) => e.type === "approval_requested")).toBe(false);
    expect(sent).toEqual(["ada@example.com"]);
    expect(result.toolCalls.map((c) => c.replayed ?? false)).toEqual([false, true]);
    expect(result.effects).toEqual([
      expect.objectContaining({
        tool: "send_email",
        args: { to: "ada@example.com", subject: "Refund" },
        ok: true,
      }),
    ]);
  });
});
