/// <reference lib="dom" />
/**
 * The chat page in real Chromium (playwright-core driving /usr/bin/chromium) against a real
 * chat server on a random port. Screenshots go to test-artifacts/.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChatMessage, CodeModeAgent, defineTool } from "codemode";
import {
  type ChatServer,
  checkModelSetup,
  directoryContinuationStore,
  memoryChatStateStore,
  type StartChatServerOptions,
  startChatServer,
} from "codemode/server";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Frame,
  type Locator,
  type Page,
} from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { dataTools, nudges } from "../../examples/data-tools/tools.js";
import { py, REVENUE_CODE, scripted, WRONG_DATASET_CODE } from "../server/helpers.js";
import { CHROMIUM, hasChromium, requireChromiumInCi } from "./chromium.js";

/** Retries an assertion until the page catches up (the page updates as events stream in). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 50 });

/** An element's text without surrounding whitespace. */
const text = (locator: Locator) => locator.textContent().then((t: string | null) => t?.trim());

const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts");
requireChromiumInCi();

let browser: Browser;
let context: BrowserContext | undefined;
const servers: ChatServer[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  // launch() starts from a fresh temporary profile (user-data-dir) every time.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(
  replies: string[],
  options: Partial<StartChatServerOptions> & {
    maxRetries?: number;
    maxTurns?: number;
    extraTools?: unknown[];
    seen?: ChatMessage[][];
  } = {},
) {
  const { maxRetries, maxTurns, extraTools, seen, ...rest } = options;
  const agent = new CodeModeAgent({
    tools: [...dataTools, ...((extraTools ?? []) as typeof dataTools)],
    callLlm: scripted(replies, seen),
    model: "test:scripted",
    ...(maxRetries !== undefined ? { maxRetries } : {}),
    ...(maxTurns !== undefined ? { maxTurns } : {}),
  });
  const server = await startChatServer({ agent, nudges, port: 0, auth: false, ...rest });
  servers.push(server);
  return server;
}

async function open(
  server: ChatServer,
  viewport = { width: 1280, height: 900 },
  colorScheme: "light" | "dark" = "light",
): Promise<Page> {
  context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(server.url);
  await page.locator(".tool").first().waitFor();
  (page as Page & { problems?: string[] }).problems = problems;
  return page;
}

/** The chart iframe's frame, once Chart.js has drawn into its canvas. */
async function chartFrame(page: Page): Promise<Frame> {
  const handle = await page.locator(".charts iframe").first().elementHandle();
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error("no chart frame");
  await frame.locator("canvas").waitFor();
  await frame.waitForFunction(() => {
    const canvas = document.querySelector("canvas");
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const data = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; data && i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted > 1000;
  });
  return frame;
}

describe.skipIf(!hasChromium)("chat page in Chromium", () => {
  it("answers a nudge: phases, highlighted code, Markdown summary and a drawn chart", async () => {
    const server = await serve([py(REVENUE_CODE)]);
    const page = await open(server);
    await poll(() => page.locator(".chip").count()).toBe(nudges.length);
    await page.locator(".chip").first().click();
    await poll(() => text(page.locator(".msg.user .bubble"))).toBe(nudges[0]!);
    await page.locator(".summary").waitFor();

    const phases = await page.locator(".phase").allTextContents();
    expect(phases).toEqual(["Writing code", "Running", "Formatting", "Done"]);
    // Code: collapsible, highlighted by highlight.js.
    const code = page.locator("details.code").first();
    expect(await code.getAttribute("open")).toBeNull();
    await code.locator("summary").click();
    await poll(() => text(code.locator("pre code"))).toContain('fetch_data("sales_2024"');
    expect(await code.locator(".hljs-string").count()).toBeGreaterThan(3);
    // Tool calls with their status.
    await poll(() => page.locator(".call.ok").count()).toBe(3);
    await poll(() => text(page.locator(".call .sig").first())).toContain("fetch_data(dataset=");
    await poll(() => text(page.locator(".output"))).toContain("regions: 4");
    // Markdown rendered, not shown raw.
    await poll(() => text(page.locator(".summary strong"))).toMatch(/^(East|North|South|West)$/);
    expect(await page.locator(".summary").textContent()).not.toContain("**");

    const iframe = page.locator(".charts iframe");
    expect(await iframe.getAttribute("sandbox")).toBe("allow-scripts");
    const frame = await chartFrame(page);
    const size = await frame.evaluate(() => {
      const canvas = document.querySelector("canvas")!;
      return { width: canvas.clientWidth, height: canvas.clientHeight };
    });
    expect(size.width).toBeGreaterThan(300);
    expect(size.height).toBeGreaterThan(150);
    // The chart's code cannot reach the page: the frame has an opaque origin.
    const reach = await frame.evaluate(() => {
      try {
        return parent.document.title;
      } catch {
        return "blocked";
      }
    });
    expect(reach).toBe("blocked");
    await page.screenshot({ path: join(ARTIFACTS, "chat-answer.png"), fullPage: true });
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
  });

  it("shows each turn as it happens, a look's value under its code, then the answer with its chart", async () => {
    const look = 'rows = fetch_data("sales_2024", columns=["region", "revenue"])\nrows[:2]';
    const answer = REVENUE_CODE.replace(
      'rows = fetch_data("sales_2024", columns=["region", "revenue"])\n',
      "",
    );
    const seen: ChatMessage[][] = [];
    const server = await serve([py(look), py(answer), "Engineering, by a margin."], {
      maxTurns: 5,
      seen,
    });
    const page = await open(server);
    await page.locator("#input").fill("Revenue by region?");
    await page.locator("#input").press("Enter");
    await page.locator(".summary").waitFor();

    const labels = await page.locator("details.code > summary").allTextContents();
    expect(labels).toEqual(["Code · turn 1", "Code · turn 2"]);
    const lookView = page.locator("details.look");
    await poll(() => lookView.count()).toBe(1);
    // Collapsed once the answer is there; one click shows what the look returned.
    expect(await lookView.getAttribute("open")).toBeNull();
    await lookView.locator("summary").click();
    await poll(() => text(lookView.locator(".look-value"))).toContain('"region"');
    expect(await page.locator(".phase").allTextContents()).toContain("Turn 2");
    // The data tool ran once: turn 2 used the rows turn 1 kept.
    await poll(() => page.locator(".call .sig").allTextContents()).toEqual([
      expect.stringContaining("fetch_data("),
      expect.stringContaining("group_and_aggregate("),
      expect.stringContaining("create_chart("),
    ]);
    await poll(() => text(page.locator(".summary strong"))).toMatch(/^(East|North|South|West)$/);
    await chartFrame(page);
    await poll(() => text(page.locator(".meta"))).toMatch(/^2 turns · 2 attempts · 3 tool calls/);
    await page.screenshot({ path: join(ARTIFACTS, "chat-turns.png"), fullPage: true });

    // The next question's history holds the answer, not the looks the model saw.
    await page.locator("#input").fill("And which department pays the most?");
    await page.locator("#input").press("Enter");
    await poll(() => page.locator(".summary").count()).toBe(2);
    const history = seen[2]!;
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(history[1]!.content).toMatch(/had the highest revenue/);
    expect(history.some((m) => m.content.includes("The program ran"))).toBe(false);
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
  });

  it("shows a failing attempt plainly, then the retry that worked", async () => {
    const server = await serve([py(WRONG_DATASET_CODE), py(REVENUE_CODE)]);
    const page = await open(server);
    await page.locator("#input").fill("Revenue by region?");
    await page.locator("#input").press("Enter");
    await page.locator(".summary").waitFor();
    await poll(() => text(page.locator(".error-box.retry"))).toContain(
      "Attempt 1 failed, retrying",
    );
    await poll(() => text(page.locator(".error-box.retry"))).toContain('Unknown dataset "sales"');
    await poll(() => page.locator(".phase.failed").count()).toBe(1);
    await poll(() =>
      page.locator(".phase", { hasText: "Writing code (attempt 2/3)" }).count(),
    ).toBe(1);
    await poll(() => page.locator("details.code").count()).toBe(2);
    await poll(() => text(page.locator("details.code.failed summary"))).toBe(
      "Code · attempt 1/3 · failed",
    );
    await poll(() => page.locator(".call.error").count()).toBe(1);
    await chartFrame(page);
    await poll(() => text(page.locator(".meta"))).toContain("2 attempts");
    await page.screenshot({ path: join(ARTIFACTS, "chat-retry.png"), fullPage: true });
  });

  it("shows a tool error and the failed run when no attempt succeeds", async () => {
    const server = await serve([py('fetch_data("sales_2024", filters={"region": "Mars"})')], {
      maxRetries: 0,
    });
    const page = await open(server);
    await page.locator("#input").fill("Revenue on Mars?");
    await page.locator("#send").click();
    await page.locator(".error-box").waitFor();
    const call = page.locator(".call.error");
    await poll(() => text(call.locator(".status"))).toBe("✗ ValueError");
    await poll(() => text(call.locator(".err"))).toContain(
      'No sales_2024 row has region == "Mars"',
    );
    await poll(() => text(page.locator(".error-box"))).toContain("The run failed");
    await poll(() => text(page.locator(".error-box"))).toContain(
      "Sandbox execution failed after 1",
    );
    await poll(() => text(page.locator(".phase").last())).toBe("Failed");
    await poll(() => page.locator(".summary").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "chat-tool-error.png"), fullPage: true });
  });

  it("marks a replayed call, and lists what a failed run already changed", async () => {
    const sent: string[] = [];
    const sendNote = defineTool({
      name: "send_note",
      description: "Send a note.",
      inputSchema: z.object({ to: z.string() }),
      execute: ({ to }) => {
        sent.push(to);
        return { sent: to };
      },
    });
    const failing = 'send_note(to="ada")\nd = {}\nd["missing"]';
    const server = await serve([py(failing), py(failing)], {
      maxRetries: 1,
      extraTools: [sendNote],
    });
    const page = await open(server);
    await page.locator("#input").fill("Send Ada a note.");
    await page.locator("#send").click();
    await page.locator(".effects").waitFor();
    await poll(() => text(page.locator(".effects"))).toContain(
      "These calls completed before the failure and changed things",
    );
    await poll(() => text(page.locator(".effects li"))).toContain('send_note(to="ada")');
    await poll(() => text(page.locator(".call.replayed .status"))).toContain("replayed");
    expect(sent).toEqual(["ada"]);
  });

  it("says which variable to set when no API key is configured", async () => {
    const server = await serve([], {
      modelSetup: checkModelSetup("anthropic:claude-haiku-4-5", {}),
    });
    const page = await open(server);
    const notice = page.locator("#notice");
    await poll(() => notice.isVisible()).toBe(true);
    await poll(() => text(notice.locator("strong"))).toBe(
      "Set ANTHROPIC_API_KEY to chat with anthropic:claude-haiku-4-5.",
    );
    await poll(() => text(notice)).toContain("export ANTHROPIC_API_KEY=...");
    await poll(() => text(notice)).toContain("npx codemode chat --demo");
    // Sending anyway gives the same advice instead of a cryptic failure.
    await page.locator(".chip").first().click();
    await poll(() => text(page.locator(".error-box"))).toContain("ANTHROPIC_API_KEY is not set");
    await page.screenshot({ path: join(ARTIFACTS, "chat-no-key.png"), fullPage: true });
  });

  it("keeps the chat in the browser and sends it as history", async () => {
    const seen: number[] = [];
    const agent = new CodeModeAgent({
      tools: dataTools,
      callLlm: async (_model, _system, messages) => {
        seen.push(messages.length);
        return py(`{"summary": "Answer number ${seen.length}"}`);
      },
      model: "test:scripted",
    });
    const server = await startChatServer({ agent, port: 0, auth: false });
    servers.push(server);
    const page = await open(server);
    await page.locator("#input").fill("first question");
    await page.locator("#input").press("Enter");
    await poll(() => text(page.locator(".summary"))).toBe("Answer number 1");
    await page.reload();
    await poll(() => text(page.locator(".msg.user .bubble"))).toBe("first question");
    await poll(() => text(page.locator(".summary"))).toBe("Answer number 1");
    await page.locator("#input").fill("second question");
    await page.locator("#input").press("Enter");
    await poll(() => text(page.locator(".summary").nth(1))).toBe("Answer number 2");
    // The second run saw the first question and answer before its own message.
    expect(seen).toEqual([1, 3]);
    await page.locator("#new-chat").click();
    await poll(() => page.locator(".msg").count()).toBe(0);
    await page.reload();
    await poll(() => page.locator(".msg").count()).toBe(0);
  });

  it("remembers a chat's variables across messages and a reload; New chat makes the server forget them", async () => {
    const agent = new CodeModeAgent({
      // The page waits for the tool list before a test starts.
      tools: dataTools,
      maxTurns: 3,
      model: "test:scripted",
      callLlm: async (_model, _system, messages) => {
        const last = messages.at(-1)!.content;
        if (last.startsWith("remember")) return py('secret = "kept value"\n{"summary": "Stored."}');
        return last.includes("- secret: str") ? py('{"summary": secret}') : "Nothing kept.";
      },
    });
    const stored = memoryChatStateStore();
    const forgotten: string[] = [];
    const chatStates = {
      save: stored.save,
      load: stored.load,
      delete: async (key: string) => {
        forgotten.push(key);
        return stored.delete(key);
      },
    };
    const server = await startChatServer({ agent, chatStates, port: 0, auth: false });
    servers.push(server);
    const page = await open(server);
    const ask = async (question: string, nth: number) => {
      await page.locator("#input").fill(question);
      await page.locator("#input").press("Enter");
      await page.locator(".summary").nth(nth).waitFor();
      return text(page.locator(".summary").nth(nth));
    };
    expect(await ask("remember this", 0)).toBe("Stored.");
    await page.reload();
    expect(await ask("recall it", 1)).toBe("kept value");
    await page.locator("#new-chat").click();
    await poll(() => forgotten.length).toBe(1);
    expect(await ask("recall it", 0)).toBe("Nothing kept.");
  });

  it("sanitizes the summary: model HTML cannot run script in the page", async () => {
    const evil =
      '{"summary": "Hi <img src=x onerror=\\"window.__pwned=1\\"> <script>window.__pwned=2</script> [x](javascript:window.__pwned=3)"}';
    const server = await serve([py(evil)]);
    const page = await open(server);
    await page.locator("#input").fill("hello");
    await page.locator("#input").press("Enter");
    await page.locator(".summary").waitFor();
    await page
      .locator(".summary a")
      .click({ noWaitAfter: true })
      .catch(() => {});
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator(".summary img").getAttribute("onerror")).toBeNull();
    expect(await page.locator(".summary script").count()).toBe(0);
  });

  it("runs an HTML chart's script inside the sandboxed frame, away from the page", async () => {
    const html =
      "<div id='out'>waiting</div><script>document.getElementById('out').textContent = 'drawn by ' + (typeof Chart === 'undefined' ? 'html' : 'chart.js'); try { parent.document.body.innerHTML = 'pwned' } catch (e) { document.body.dataset.blocked = 'yes' }</script>";
    const server = await serve([
      py(`{"summary": "An HTML chart", "charts": [${JSON.stringify(html)}]}`),
    ]);
    const page = await open(server);
    await page.locator("#input").fill("html chart");
    await page.locator("#input").press("Enter");
    await page.locator(".charts iframe").waitFor();
    expect(await page.locator(".charts iframe").getAttribute("sandbox")).toBe("allow-scripts");
    const frame = await (await page.locator(".charts iframe").elementHandle())!.contentFrame();
    await poll(() => text(frame!.locator("#out"))).toBe("drawn by html");
    expect(await frame!.evaluate(() => document.body.dataset.blocked)).toBe("yes");
    await poll(() => text(page.locator(".summary"))).toBe("An HTML chart");
  });

  it("says so inside the frame when a chart config cannot be drawn", async () => {
    const server = await serve([
      py('{"summary": "bad chart", "charts": [{"type": "sparkles", "data": {}}]}'),
    ]);
    const page = await open(server);
    await page.locator("#input").fill("bad chart");
    await page.locator("#input").press("Enter");
    await page.locator(".charts iframe").waitFor();
    const frame = await (await page.locator(".charts iframe").elementHandle())!.contentFrame();
    await poll(() => text(frame!.locator("#wrap"))).toContain(
      'Could not draw this chart: "sparkles" is not a Chart.js chart type',
    );
  });

  it("asks for the token when the API needs one, then works with it", async () => {
    const server = await serve([py(REVENUE_CODE)], { auth: { token: "team-token-42" } });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url);
    const notice = page.locator("#notice");
    await poll(() => text(notice.locator("strong"))).toBe("This chat needs a token.");
    await poll(() => page.locator(".tool").count()).toBe(0);
    await notice.locator("input").fill("team-token-42");
    await notice.locator("button[type=submit]").click();
    await poll(() => page.locator(".tool").count()).toBe(4);
    await page.locator(".chip").first().click();
    await chartFrame(page);
  });

  it("switches between light and dark themes", async () => {
    const server = await serve([]);
    const page = await open(server, undefined, "dark");
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    await page.locator("#toggle-theme").click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    const light = await background();
    expect(light).not.toBe(dark);
    await page.reload();
    expect(await background()).toBe(light);
  });

  it("is usable at phone width (375 px): no sideways scrolling, tools in a drawer", async () => {
    const server = await serve([py(REVENUE_CODE)]);
    const page = await open(server, { width: 375, height: 740 });
    const sidebar = page.locator("#sidebar");
    const inView = async () => {
      const box = await sidebar.boundingBox();
      return box !== null && box.x < 375;
    };
    expect(await inView()).toBe(false);
    await page.locator("#toggle-tools").click();
    await poll(inView).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "chat-phone-tools.png") });
    await page.locator("#close-tools").click();
    await poll(inView).toBe(false);

    await page.locator(".chip").first().click();
    await page.locator(".summary").waitFor();
    await chartFrame(page);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      chart: document.querySelector(".charts iframe")!.getBoundingClientRect().width,
      send: document.querySelector("#input")!.getBoundingClientRect().right,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(375);
    expect(widths.chart).toBeGreaterThan(250);
    expect(widths.chart).toBeLessThanOrEqual(375);
    expect(widths.send).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(ARTIFACTS, "chat-phone.png") });
  });

  it("stops a run with the Stop button, which cancels it on the server", async () => {
    let aborted = false;
    const wait = defineTool({
      name: "wait_for_data",
      description: "Waits until cancelled.",
      parameters: z.object({}),
      execute: (_args, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("cancelled"));
          });
        }),
    });
    const server = await serve([py("wait_for_data()")], { extraTools: [wait] });
    const page = await open(server);
    await page.locator("#input").fill("wait");
    await page.locator("#input").press("Enter");
    await page.locator(".call.pending").waitFor();
    await page.locator("#stop").click();
    await poll(() => text(page.locator(".error-box"))).toContain("You stopped this run.");
    await poll(() => aborted).toBe(true);
    await poll(() => page.locator("#send").isVisible()).toBe(true);
  });
});

describe.skipIf(!hasChromium)("approval cards in Chromium", () => {
  const SECRET = "browser-approvals-secret-0123456789";
  const LONG_BODY = `Dear Ada,\n\n${"Your refund has been processed. ".repeat(30)}\n\nRegards`;
  const HOSTILE = '<img src=x onerror="window.__pwned=1">';
  const SEND = `body = ${JSON.stringify(LONG_BODY)}
try:
    send_email(to="ada@example.com", subject=${JSON.stringify(HOSTILE)}, body=body)
    status = "sent"
except PermissionError as e:
    status = "not sent: " + str(e)
{"summary": status}`;

  /** A chat server whose agent has `send_email` (needs approval); `sent` records real sends. */
  async function serveEmail(
    sent: string[],
    replies: string[],
    options: Partial<StartChatServerOptions> = {},
  ) {
    const sendEmail = defineTool({
      name: "send_email",
      description: "Send an email.",
      inputSchema: z.object({ to: z.string(), subject: z.string(), body: z.string() }),
      needsApproval: true,
      execute: ({ to }) => {
        sent.push(to);
        return { sent: true };
      },
    });
    const agent = new CodeModeAgent({
      tools: [...dataTools, sendEmail],
      callLlm: scripted(replies),
      model: "test:scripted",
      continuationSecret: SECRET,
    });
    const server = await startChatServer({ agent, port: 0, auth: false, ...options });
    servers.push(server);
    return server;
  }

  async function ask(page: Page, question: string) {
    await page.locator("#input").fill(question);
    await page.locator("#input").press("Enter");
    await page.locator(".approval").first().waitFor();
    // The run is over (and the chat saved) once Send is back.
    await page.locator("#send").waitFor();
  }

  it("shows the card with the tool, its arguments as text and the line; Approve continues to the summary", async () => {
    const sent: string[] = [];
    const server = await serveEmail(sent, [py(SEND)]);
    const page = await open(server);
    await ask(page, "Tell Ada her refund is done.");

    const card = page.locator(".approval");
    expect(await text(card.locator(".approval-tool"))).toBe("send_email()");
    expect(await card.locator(".approval-args dt").allTextContents()).toEqual([
      "to",
      "subject",
      "body",
    ]);
    const values = card.locator(".approval-args dd");
    expect(await text(values.nth(0))).toBe("ada@example.com");
    // Model-made text stays text: no element made from it, no script run.
    expect(await text(values.nth(1))).toBe(HOSTILE);
    expect(await card.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    // A long value is folded, its length shown; the full text is one click away.
    const long = values.nth(2).locator("details.arg-long");
    expect(await long.getAttribute("open")).toBeNull();
    expect(await text(long.locator("summary"))).toMatch(/^Dear Ada,… \(\d+ characters\)$/);
    expect(await long.locator("pre").textContent()).toBe(LONG_BODY);
    expect(await text(card.locator(".approval-line"))).toMatch(/^line 3\s*send_email\(to=/);
    expect(await page.locator(".phase").allTextContents()).toEqual([
      "Writing code",
      "Running",
      "Waiting for approval",
    ]);
    expect(sent).toEqual([]);
    await card.screenshot({ path: join(ARTIFACTS, "chat-approval-card.png") });

    await card.locator("button.approve").click();
    await poll(() => text(page.locator(".summary"))).toBe("sent");
    // The same answer card: the approval stays above the answer, marked approved.
    expect(await page.locator(".answer").count()).toBe(1);
    expect(await card.getAttribute("data-state")).toBe("approved");
    expect(await text(card.locator(".approval-status"))).toBe("Approved");
    expect(await card.locator("button.approve").isDisabled()).toBe(true);
    expect(await page.locator(".phase").allTextContents()).toEqual([
      "Writing code",
      "Running",
      "Waiting for approval",
      "Running",
      "Formatting",
      "Done",
    ]);
    expect(sent).toEqual(["ada@example.com"]);
    await page.screenshot({ path: join(ARTIFACTS, "chat-approval-approved.png"), fullPage: true });
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
  });

  it("says on the card when the same call already ran in this run", async () => {
    const sent: string[] = [];
    const call = 'send_email(to="ada@example.com", subject="Hello", body="Hi")';
    const server = await serveEmail(sent, [py(`${call}\n${call}\n{"summary": "sent twice"}`)]);
    const page = await open(server);
    await ask(page, "Email Ada twice.");
    const first = page.locator(".approval").first();
    expect(await first.locator(".approval-repeat").count()).toBe(0);
    await first.locator("button.approve").click();
    const second = page.locator(".approval").nth(1);
    await second.waitFor();
    await poll(() => text(second.locator(".approval-repeat"))).toBe(
      "This call already ran once in this run, with the same arguments.",
    );
    await second.locator("button.approve").click();
    await poll(() => text(page.locator(".summary"))).toBe("sent twice");
    expect(sent).toEqual(["ada@example.com", "ada@example.com"]);
  });

  it("Deny with a reason: the program catches the PermissionError and says so", async () => {
    const sent: string[] = [];
    const server = await serveEmail(sent, [py(SEND)]);
    const page = await open(server);
    await ask(page, "Email Ada.");
    const card = page.locator(".approval");
    await card.locator(".approval-reason").fill("not before the refund clears");
    await card.locator("button.deny").click();
    await poll(() => text(page.locator(".summary"))).toBe(
      "not sent: send_email() was not approved: not before the refund clears",
    );
    expect(await card.getAttribute("data-state")).toBe("denied");
    expect(await text(card.locator(".approval-status"))).toBe(
      "Denied: not before the refund clears",
    );
    expect(sent).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "chat-approval-denied.png"), fullPage: true });
  });

  it("asks for every call of a parallel_map, and continues once each is decided", async () => {
    const sent: string[] = [];
    const code = `to = ["ada@example.com", "bob@example.com"]
results = parallel_map(send_email, to, ["News", "News"], ["hi", "hi"], return_exceptions=True)
{"summary": ", ".join(t + (": refused" if isinstance(r, Exception) else ": sent") for t, r in zip(to, results))}`;
    const server = await serveEmail(sent, [py(code)]);
    const page = await open(server);
    await ask(page, "Email both.");
    const cards = page.locator(".approval");
    await poll(() => cards.count()).toBe(2);
    await cards.nth(0).locator("button.approve").click();
    expect(await text(cards.nth(0).locator(".approval-status"))).toBe(
      "Approved; decide the other 1 to continue.",
    );
    expect(sent).toEqual([]);
    await cards.nth(1).locator("button.deny").click();
    await poll(() => text(page.locator(".summary"))).toBe(
      "ada@example.com: sent, bob@example.com: refused",
    );
    expect(sent).toEqual(["ada@example.com"]);
  });

  it("a pending approval survives a server restart and a reload; a second click says it was decided", async () => {
    const sent: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "codemode-chat-browser-approvals-"));
    const first = await serveEmail(sent, [py(SEND)], { store: directoryContinuationStore(dir) });
    const page = await open(first);
    await ask(page, "Tell Ada her refund is done.");
    // Another browser with a copy of this chat (its own localStorage) shows the same card.
    const elsewhere = await browser.newContext({
      storageState: await page.context().storageState(),
    });
    const other = await elsewhere.newPage();
    await other.goto(first.url);
    await other.locator(".approval").waitFor();

    // Restart: the first server stops; a new one (new agent, new store object, the same
    // directory and secret) listens on the same port, so the page's origin and chat stay.
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    const second = await serveEmail(sent, [], {
      store: directoryContinuationStore(dir),
      port: first.port,
    });
    expect(second.url).toBe(first.url);
    await page.reload();
    const card = page.locator(".approval");
    await card.waitFor();
    expect(await text(card.locator(".approval-tool"))).toBe("send_email()");
    expect(await card.locator("button.approve").isEnabled()).toBe(true);
    await card.locator("button.approve").click();
    await poll(() => text(page.locator(".summary"))).toBe("sent");
    expect(sent).toEqual(["ada@example.com"]);
    await page.screenshot({ path: join(ARTIFACTS, "chat-approval-restart.png"), fullPage: true });

    // The other browser still shows the card from before; its click is refused on the card.
    const stale = other.locator(".approval");
    await stale.locator("button.approve").click();
    await poll(() => text(stale.locator(".approval-status"))).toMatch(
      /^No longer waiting: No run is waiting under .*already decided/,
    );
    expect(await stale.getAttribute("data-state")).toBe("error");
    expect(await stale.locator("button.approve").isDisabled()).toBe(true);
    expect(sent).toEqual(["ada@example.com"]);
    await elsewhere.close();

    // Reloaded, the decided card stays decided, above the answer.
    await page.reload();
    await page.locator(".summary").waitFor();
    expect(await text(page.locator(".summary"))).toBe("sent");
    expect(await page.locator(".approval button.approve").isDisabled()).toBe(true);
    expect(await text(page.locator(".approval .approval-status"))).toBe("Approved");
  });
});
