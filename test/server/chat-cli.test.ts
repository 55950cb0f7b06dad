/** `codemode chat` as a real child process on the built package. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { AgentEvent } from "codemode";
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
function startCli(args: string[]): Promise<{ url: string; stderr: () => string }> {
  const env: Record<string, string | undefined> = { ...process.env };
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
      if (match?.[1]) resolve({ url: match[1], stderr: () => stderr });
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
});
