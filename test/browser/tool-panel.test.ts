/// <reference lib="dom" />
/**
 * The chat page's tool panel with 500 tools, in real Chromium against a real chat server:
 * a page of items at first, more as the list end scrolls into view, and a filter box.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CodeModeAgent, defineTool } from "codemode";
import { type ChatServer, startChatServer } from "codemode/server";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { catalogTools } from "../mcp/fixtures/catalog-tools.mjs";
import { CHROMIUM, hasChromium, requireChromiumInCi } from "./chromium.js";

const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts");
requireChromiumInCi();
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 50 });

let browser: Browser | undefined;
let server: ChatServer | undefined;

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  const tools = catalogTools(500).map((t) => defineTool({ ...t, execute: () => null }));
  const agent = new CodeModeAgent({ tools, maxTurns: 10, callLlm: async () => "ok" });
  server = await startChatServer({ agent, port: 0, auth: false });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it.skipIf(!hasChromium)(
  "shows 500 tools a page at a time, loads more on scroll, and filters by words",
  async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(server!.url);
    const items = page.locator("#tools .tool");
    await items.first().waitFor();

    await poll(() => page.locator("#tool-count").textContent()).toBe("500 tools");
    expect(await items.count()).toBe(50);
    await poll(() => page.locator(".tools-more button").textContent()).toBe(
      "Show 50 more (450 left)",
    );

    // The end of the list in view renders the next page.
    await page.locator(".tools-more").scrollIntoViewIfNeeded();
    await poll(() => items.count()).toBeGreaterThanOrEqual(100);

    // Every word must match the name, signature or description.
    await page.locator("#tool-search").fill("refund billing");
    await poll(() => page.locator("#tool-count").textContent()).toBe("6 of 500 tools match");
    await poll(() => items.count()).toBe(6);
    const signatures = await items.locator("code").allTextContents();
    expect(signatures.every((s) => s.startsWith("billing_") && s.includes("refund"))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "tool-panel-500.png") });

    await page.locator("#tool-search").fill("no such words");
    await poll(() => page.locator("#tools .hint").textContent()).toBe(
      'No tool matches "no such words".',
    );
    await page.locator("#tool-search").fill("");
    await poll(() => items.count()).toBe(50);
    expect(problems).toEqual([]);
    await page.close();
  },
  60_000,
);
