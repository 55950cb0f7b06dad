/** `codemode chat` as a real child process on the built package. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentEvent } from "codemode";
import type { ChatDoneEvent } from "codemode/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readEvents } from "./helpers.js";

const ROOT = join(import.meta.dirname, "../..");
const CLI = join(ROOT, "dist/cli/main.js");
const TOOLS = "examples/data-tools/tools.ts";
const REPLAY = "replay:examples/replays/revenue-by-region.jsonl";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGTERM");
});

/** Starts `codemode chat` and resolves with the URL it prints on stderr. */
function startCli(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ url: string; stderr: () => string; child: ChildProcess }> {
  // The command keeps its secret and state in the user's directories: not this user's.
  const home = mkdtempSync(join(tmpdir(), "codemode-chat-cli-home-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_STATE_HOME: join(home, "state"),
    ...extraEnv,
  };
  for (const key of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEMODE_MODEL"]) {
    delete env[key];
  }
  const child = spawn(process.execPath, [CLI, "chat", "--port", "0", ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
      const match = /codemode chat: (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) resolve({ url: match[1], stderr: () => stderr, child });
    });
    child.on("exit", (code) => reject(new Error(`codemode chat exited with ${code}: ${stderr}`)));
  });
}

describe("codemode chat", () => {
  it("serves the example tools with the replay model, answering every message afresh", async () => {
    const { url } = await startCli(["--tools", TOOLS, "--model", REPLAY]);
    const nudges = (await (await fetch(`${url}api/nudges`)).json()) as { nudges: string[] };
    expect(nudges.nudges.length).toBeGreaterThan(0);
    const health = (await (await fetch(`${url}health`)).json()) as {
      model: string;
      llm: { ready: boolean; notice: string };
    };
    expect(health.model).toBe(REPLAY);
    expect(health.llm.ready).toBe(true);
    expect(health.llm.notice).toContain("Replay model");
    for (const question of ["Which region sold most?", "And again?"]) {
      const response = await fetch(`${url}api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: question }),
      });
      const events = await readEvents(response);
      expect(events.some((e) => e.type === "retrying")).toBe(true);
      const done = events.at(-1) as Extract<AgentEvent, { type: "done" }>;
      expect(done.type).toBe("done");
      expect(done.result.error).toBeNull();
      expect(done.result.summary).toContain("had the highest revenue in 2024");
      expect(done.result.charts).toHaveLength(1);
    }
  });

  it("without an API key, starts anyway and says which variable to set", async () => {
    const { url, stderr } = await startCli(["--tools", TOOLS, "--model", "openai:gpt-4.1-mini"]);
    // The warning follows the URL line.
    await vi.waitFor(() => expect(stderr()).toContain("warning: OPENAI_API_KEY is not set"), {
      timeout: 10_000,
      interval: 20,
    });
    const health = (await (await fetch(`${url}health`)).json()) as {
      llm: { ready: boolean; missingEnvVar: string };
    };
    expect(health.llm).toMatchObject({ ready: false, missingEnvVar: "OPENAI_API_KEY" });
  });

  it("keeps a run waiting for approval on disk: a new process after a SIGKILL resumes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codemode-chat-cli-approvals-"));
    const env = {
      XDG_CONFIG_HOME: join(dir, "config"),
      COUNT_FILE: join(dir, "calls.log"),
      CODEMODE_CONTINUATION_SECRET: "",
    };
    const args = [
      "--tools",
      "test/cli/fixtures/refund-tools.ts",
      "--model",
      "replay:test/cli/fixtures/refund-replay.jsonl",
      "--state-dir",
      join(dir, "state"),
    ];
    const first = await startCli(args, env);
    const asked = await fetch(`${first.url}api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Refund order 9." }),
    });
    const done = (await readEvents(asked)).at(-1) as ChatDoneEvent;
    expect(done.result.status).toBe("suspended");
    expect(done.result.pendingApprovals).toEqual([
      expect.objectContaining({ tool: "refund", args: { id: 9, amount: 90 } }),
    ]);
    expect(readdirSync(join(dir, "state", "approvals"))).toEqual([`${done.continuationId}.json`]);
    // The secret was made on first start, readable by the user alone.
    const secretFile = join(dir, "config", "codemode", "continuation-secret");
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);

    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    await exited;

    const second = await startCli(args, env);
    const resumed = await fetch(`${second.url}api/approvals`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        continuationId: done.continuationId,
        decisions: { [done.result.pendingApprovals![0]!.id]: true },
      }),
    });
    expect(resumed.status).toBe(200);
    const finished = (await readEvents(resumed)).at(-1) as ChatDoneEvent;
    expect(finished.result).toMatchObject({ status: "done", summary: "refunded 90" });
    // Each tool ran once over both processes: the order was not fetched again.
    expect(readFileSync(env.COUNT_FILE, "utf8").trim().split("\n")).toEqual([
      "get_order:9",
      "refund:9:90",
    ]);
    expect(readdirSync(join(dir, "state", "approvals"))).toEqual([]);
  });

  it("keeps a chat's variables under --state-dir: a restarted server goes on with them, New chat drops them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codemode-chat-cli-chats-"));
    const env = { XDG_CONFIG_HOME: join(dir, "config"), COUNT_FILE: join(dir, "calls.log") };
    const args = [
      "--tools",
      "test/cli/fixtures/refund-tools.ts",
      "--model",
      "replay:test/server/fixtures/remember-replay.jsonl",
      "--no-type-check",
      "--state-dir",
      join(dir, "state"),
    ];
    const ask = async (url: string, chatId?: string) => {
      const response = await fetch(`${url}api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "Order 9?", ...(chatId ? { chatId } : {}) }),
      });
      return (await readEvents(response)).at(-1) as ChatDoneEvent;
    };
    const first = await startCli(args, env);
    const fetched = await ask(first.url);
    expect(fetched.result.summary).toBe("fetched 90");
    expect(readdirSync(join(dir, "state", "chats"))).toHaveLength(1);
    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGTERM");
    await exited;

    const second = await startCli(args, env);
    const kept = await ask(second.url, fetched.chatId);
    expect(kept.result.summary).toBe("kept 90");
    expect(kept.chatId).toBe(fetched.chatId);
    expect(readFileSync(env.COUNT_FILE, "utf8").trim().split("\n")).toEqual(["get_order:9"]);

    const forgot = await fetch(`${second.url}api/forget`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chatId: fetched.chatId }),
    });
    expect(await forgot.json()).toEqual({ forgotten: true });
    const again = await ask(second.url, fetched.chatId);
    expect(again.result.summary).toBe("fetched 90");
  });
});
