/**
 * Approvals through CodeModeAgent: inline (`onApproval`), or a suspended run whose signed
 * continuation `agent.resume()` picks up, here or in another process, and refuses when
 * changed, made for other tools or used twice. A program review (`onProgram`) too.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentEvent, CodeModeAgent, ContinuationError, defineTool } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as continuations from "../../src/agent/continuation.js";
import { emailTools } from "../helpers/email-tools.js";
import { py } from "../helpers/python.js";
import { scripted as scriptedLlm } from "../helpers/scripted-llm.js";

const scripted = (replies: string[]) =>
  scriptedLlm(replies, { usage: { inputTokens: 10, outputTokens: 5 } });

const SEND = `try:
    send_email(to="ada@example.com", subject="Your refund")
    status = "sent"
except PermissionError as e:
    status = "not sent: " + str(e)
{"summary": status}`;

describe("CodeModeAgent approvals", () => {
  it("suspends without onApproval, and resumes with an approval: the tool runs once", async () => {
    const { sent, tools } = emailTools();
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py(SEND)]),
      isolation: "in-process",
    });
    const events: AgentEvent[] = [];
    const first = await agent.run("Tell Ada her refund is done.", [], {
      onEvent: (e) => events.push(e),
    });
    expect(first.status).toBe("suspended");
    expect(first.error).toBeNull();
    expect(first.pendingApprovals).toEqual([
      {
        id: expect.any(String),
        tool: "send_email",
        args: { to: "ada@example.com", subject: "Your refund" },
        line: 2,
      },
    ]);
    expect(typeof first.continuation).toBe("string");
    expect(sent).toEqual([]);
    expect(events.map((e) => e.type)).toContain("approval_requested");
    expect(events.at(-1)?.type).toBe("done");

    const id = first.pendingApprovals![0]!.id;
    const done = await agent.resume(first.continuation!, { [id]: true });
    expect(done).toMatchObject({ status: "done", summary: "sent", attempts: 1 });
    expect(sent).toEqual(["ada@example.com"]);
    expect(done.toolCalls).toEqual([expect.objectContaining({ name: "send_email", ok: true })]);
  });

  it("a denial raises PermissionError with the reason, which the program handles", async () => {
    const { sent, tools } = emailTools();
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py(SEND)]),
      isolation: "in-process",
    });
    const first = await agent.run("Email Ada.");
    const id = first.pendingApprovals![0]!.id;
    const done = await agent.resume(first.continuation!, {
      [id]: { approved: false, reason: "not before the refund clears" },
    });
    expect(done.summary).toBe(
      "not sent: send_email() was not approved: not before the refund clears",
    );
    expect(sent).toEqual([]);
  });

  it("decides inline with onApproval, with the request's tool, arguments and code", async () => {
    const { sent, tools } = emailTools();
    const seen: unknown[] = [];
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py(SEND)]),
      onApproval: (request) => {
        seen.push(request);
        return true;
      },
    });
    const result = await agent.run("Email Ada.");
    expect(result).toMatchObject({ status: "done", summary: "sent" });
    expect(seen).toEqual([
      expect.objectContaining({
        tool: "send_email",
        args: { to: "ada@example.com", subject: "Your refund" },
        code: SEND,
        line: 2,
      }),
    ]);
    expect(sent).toEqual(["ada@example.com"]);
  });

  it("refuses a continuation that was changed, is for other tools, or was already used", async () => {
    const { tools } = emailTools();
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py(SEND)]),
      isolation: "in-process",
    });
    const first = await agent.run("Email Ada.");
    const id = first.pendingApprovals![0]!.id;
    const text = first.continuation!;

    const tampered = `${text.slice(0, 40)}${text[40] === "A" ? "B" : "A"}${text.slice(41)}`;
    await expect(agent.resume(tampered, { [id]: true })).rejects.toMatchObject({
      name: "ContinuationError",
      reason: "tampered",
    });
    await expect(agent.resume("hello", { [id]: true })).rejects.toMatchObject({
      reason: "malformed",
    });

    const other = new CodeModeAgent({
      tools: [defineTool({ name: "noop", inputSchema: z.object({}), execute: () => 1 })],
      callLlm: scripted([]),
    });
    await expect(other.resume(text, { [id]: true })).rejects.toMatchObject({ reason: "tools" });
    await expect(agent.resume(text, {})).rejects.toThrow(/no decision for approval/i);

    await agent.resume(text, { [id]: true });
    const again = agent.resume(text, { [id]: true });
    await expect(again).rejects.toBeInstanceOf(ContinuationError);
    await expect(agent.resume(text, { [id]: true })).rejects.toMatchObject({ reason: "used" });
  });

  it("reads decisions by the one rule every door shares: all pending at once, nothing else, well-formed", async () => {
    const { sent, tools } = emailTools();
    const both = `r = parallel_map(send_email, ["a@x", "b@x"], ["hi", "hi"])
{"summary": "sent"}`;
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py(both)]),
      isolation: "in-process",
    });
    const first = await agent.run("Email both.");
    const [a, b] = first.pendingApprovals!.map((p) => p.id);
    const text = first.continuation!;
    // A partial decision is refused (as DurableChatAgent.resume and POST /api/approvals do).
    await expect(agent.resume(text, { [a!]: true })).rejects.toThrow(
      `agent.resume(): no decision for approval ${b} (send_email()): decide every pending approval of the run at once.`,
    );
    await expect(agent.resume(text, { [a!]: true, [b!]: true, other: true })).rejects.toThrow(
      '"other" is not one of this run\'s approvals',
    );
    await expect(agent.resume(text, { [a!]: true, [b!]: "yes" as never })).rejects.toThrow(
      `the decision for approval ${b}: a decision is true, false or { "approved": boolean, "reason"?: string }`,
    );
    await expect(
      agent.resume(text, { [a!]: true, [b!]: { approved: false, reason: "x".repeat(2001) } }),
    ).rejects.toThrow('"reason" is longer than 2000 characters');
    // None of that used the continuation up.
    const done = await agent.resume(text, { [a!]: true, [b!]: true });
    expect(done.status).toBe("done");
    expect(sent.sort()).toEqual(["a@x", "b@x"]);
  });

  it("a continuation without a shared secret does not resume in another agent's process", async () => {
    const { tools } = emailTools();
    const a = new CodeModeAgent({
      tools,
      callLlm: scripted([py(SEND)]),
      continuationSecret: "a".repeat(32),
    });
    const b = new CodeModeAgent({
      tools,
      callLlm: scripted([]),
      continuationSecret: "b".repeat(32),
    });
    const first = await a.run("Email Ada.");
    const id = first.pendingApprovals![0]!.id;
    await expect(b.resume(first.continuation!, { [id]: true })).rejects.toMatchObject({
      reason: "tampered",
    });
    expect(() => new CodeModeAgent({ tools, continuationSecret: "short" })).toThrow(
      /at least 16 bytes/,
    );
  });

  it("seals the suspension inside its continuation with a key from its secret; one sealed before (no key) still resumes", async () => {
    const { sent, tools } = emailTools();
    const secret = "a shared secret for this test only";
    const agent = () =>
      new CodeModeAgent({
        tools,
        callLlm: scripted([py(SEND)]),
        isolation: "in-process",
        continuations: { secret },
      });
    const first = await agent().run("Email Ada.");
    const keys = continuations.continuationKeys(secret);
    const opened = continuations.openContinuation(keys, first.continuation);
    const seal = (opened.suspended.run as { seal: { mac?: string } }).seal;
    expect(seal.mac).toEqual(expect.any(String));
    // What a codemode that did not key the inner seal made: the same, without the mac.
    delete seal.mac;
    const older = continuations.sealContinuation(keys, opened.loop, opened.suspended, opened.tools);
    const id = first.pendingApprovals![0]!.id;
    const done = await agent().resume(older, { [id]: true });
    expect(done).toMatchObject({ status: "done", summary: "sent" });
    expect(sent).toEqual(["ada@example.com"]);
  });

  it("reviews each program with onProgram: a rejected one goes back to the model", async () => {
    const { tools } = emailTools();
    const reviewed: string[] = [];
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py(SEND), py('{"summary": "I will not email anyone."}')]),
      isolation: "in-process",
      onProgram: ({ code, tools: reachable }) => {
        reviewed.push(code);
        expect(reachable).toEqual(["send_email"]);
        return code.includes("send_email") ? { approved: false, reason: "no emails today" } : true;
      },
    });
    const result = await agent.run("Email Ada.");
    expect(result).toMatchObject({
      status: "done",
      summary: "I will not email anyone.",
      attempts: 2,
    });
    expect(reviewed).toHaveLength(2);
  });

  it("suspends in one process and resumes in a new one: each tool exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codemode-approval-"));
    const script = fileURLToPath(new URL("./fixtures/approval-process.ts", import.meta.url));
    const env = {
      ...process.env,
      COUNT_FILE: join(dir, "calls.log"),
      STATE_FILE: join(dir, "run.json"),
    };
    const run = (step: string) =>
      spawnSync(process.execPath, ["--import", "tsx", script, step], {
        env,
        encoding: "utf8",
        timeout: 60_000,
      });
    const first = run("start");
    expect(first.status, first.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(env.STATE_FILE, "utf8")) as { status: string };
    expect(saved.status).toBe("suspended");
    // The look in turn 1 and the first send ran in the first process only.
    expect(readFileSync(env.COUNT_FILE, "utf8").trim().split("\n")).toEqual([
      "list_customers",
      "send_email:ada@example.com",
    ]);
    const second = run("resume");
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      status: "done",
      summary: "emailed 2 customers",
    });
    expect(readFileSync(env.COUNT_FILE, "utf8").trim().split("\n")).toEqual([
      "list_customers",
      "send_email:ada@example.com",
      "send_email:bob@example.com",
    ]);
  }, 90_000);
});
