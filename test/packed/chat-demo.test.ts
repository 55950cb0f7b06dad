/**
 * The package as a user installs it (test/packed/installed.ts: packed from a clean tree,
 * installed in an empty project), then `codemode chat` there without an API key. The
 * command it prints for the offline demo must work from that install (the demo's tools
 * and replay ship inside the package), so this test runs exactly that command and asks
 * the server a question.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { AgentEvent } from "codemode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withoutAmbientKeys } from "../cli/helpers.js";
import { readEvents } from "../server/helpers.js";
import { packedInstall } from "./installed.js";

let app: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ({ app } = await packedInstall());
}, 300_000);

afterAll(() => {
  for (const child of children.splice(0)) stop(child);
});

/** Its own process group: `npx` starts the server as a child of its own. */
function stop(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch (error) {
    // The group may be gone already (stopped earlier, not yet reaped).
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Runs a shell-free command line in the installed app; resolves with the URL it serves. */
function startInApp(commandLine: string): Promise<{ url: string; child: ChildProcess }> {
  const env = withoutAmbientKeys();
  const [command, ...args] = commandLine.split(" ");
  const child = spawn(command!, [...args, "--port", "0"], {
    cwd: app,
    env,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk;
      const match = /codemode chat: (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) resolve({ url: match[1], child });
    });
    child.on("exit", (code) => reject(new Error(`${commandLine} exited with ${code}: ${stderr}`)));
  });
}

interface Health {
  model: string;
  llm: { ready: boolean; notice?: string; commands?: string[] };
}

describe("the installed package", () => {
  it("without an API key, prints a demo command that works from the install", async () => {
    const first = await startInApp("npx codemode chat");
    const health = (await (await fetch(`${first.url}health`)).json()) as Health;
    stop(first.child);
    expect(health.llm.ready).toBe(false);
    const demo = health.llm.commands?.find((c) => c.includes("codemode chat"));
    expect(demo).toBe("npx codemode chat --demo");
    expect(health.llm.notice).toContain(demo);

    const { url } = await startInApp(demo!);
    const ready = (await (await fetch(`${url}health`)).json()) as Health;
    expect(ready.llm.ready).toBe(true);
    expect(ready.model).toContain("node_modules/codemode/examples/replays/");
    const nudges = (await (await fetch(`${url}api/nudges`)).json()) as { nudges: string[] };
    expect(nudges.nudges.length).toBeGreaterThan(0);
    const page = await fetch(url);
    const html = await page.text();
    expect(html).toContain("<html");
    // The page is ES modules shipped as they are: every script the page loads, and every
    // module those import, is served from the install.
    const scripts = await pageScripts(url, html);
    expect(scripts).toContain("assets/app.js");
    expect(scripts).toContain("assets/answer-view.js");
    const sheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    expect(sheets).toEqual(["assets/app.css", "assets/messages.css", "assets/answer.css"]);
    for (const sheet of sheets) expect((await fetch(`${url}${sheet}`)).status, sheet).toBe(200);

    const response = await fetch(`${url}api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Which region had the highest revenue in 2024?" }),
    });
    const done = (await readEvents(response)).at(-1) as Extract<AgentEvent, { type: "done" }>;
    expect(done.type).toBe("done");
    expect(done.result.error).toBeNull();
    expect(done.result.summary).toContain("had the highest revenue in 2024");
    expect(done.result.charts).toHaveLength(1);
  }, 60_000);
});

/**
 * The page's scripts and, following their static `import … from "./x.js"`, every module
 * they load; fails when one is not served as JavaScript.
 */
async function pageScripts(url: string, html: string): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [...html.matchAll(/<script[^>]* src="(assets\/[^"]+)"/g)].map((m) => m[1]!);
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const response = await fetch(`${url}${path}`);
    expect(response.status, path).toBe(200);
    expect(response.headers.get("content-type"), path).toContain("text/javascript");
    const code = await response.text();
    const folder = path.slice(0, path.lastIndexOf("/") + 1);
    for (const m of code.matchAll(/^(?:import|export)\b[^;]*?\bfrom "\.\/([^"]+)"/gm)) {
      queue.push(`${folder}${m[1]}`);
    }
  }
  return [...seen];
}
