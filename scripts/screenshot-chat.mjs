#!/usr/bin/env node
/**
 * Writes docs/images/chat.png: the chat app answering a question with a chart, using the
 * offline replay model and the example data tools. Needs a build (`npm run build`) and
 * Chromium (CHROMIUM=/path/to/chromium, default /usr/bin/chromium).
 *
 *   node scripts/screenshot-chat.mjs [out.png] [--dark] [--width 1280] [--height 900]
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const out = resolve(args.find((a) => a.endsWith(".png")) ?? join(root, "docs/images/chat.png"));
const dark = args.includes("--dark");
const width = Number(flag("--width", "1280"));
const height = Number(flag("--height", "1220"));

const server = spawn(
  process.execPath,
  [
    join(root, "dist/cli/main.js"),
    "chat",
    "--tools",
    join(root, "examples/data-tools/tools.ts"),
    "--model",
    "replay:examples/replays/revenue-by-region.jsonl",
    "--port",
    "0",
  ],
  { cwd: root, stdio: ["ignore", "ignore", "pipe"] },
);
const url = await new Promise((ok, fail) => {
  let text = "";
  server.stderr.on("data", (chunk) => {
    text += chunk;
    const match = /(http:\/\/\S+)/.exec(text);
    if (match) ok(match[1]);
  });
  server.on("exit", (code) => fail(new Error(`codemode chat exited (${code}): ${text}`)));
});

// launch() always starts from a fresh, temporary profile (user-data-dir).
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
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
try {
  const page = await browser.newPage({
    viewport: { width, height },
    deviceScaleFactor: 1,
    colorScheme: dark ? "dark" : "light",
  });
  await page.goto(url);
  await page.locator(".chip").first().waitFor();
  await page.locator(".chip").first().click();
  await page.locator(".summary").waitFor({ timeout: 60_000 });
  const frame = page.frameLocator(".charts iframe").first();
  await frame.locator("canvas").waitFor();
  // Let Chart.js finish its entry animation.
  await page.waitForTimeout(1200);
  // The offline-demo notice is for people running the demo; the README says it is a replay.
  await page.locator("#notice .dismiss").click();
  // Start the view at the question, so the picture reads question -> work -> answer.
  await page.evaluate(() => {
    const box = document.getElementById("messages");
    const question = document.querySelector(".msg.user");
    box.scrollTop = question.offsetTop - box.offsetTop - 12;
  });
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
