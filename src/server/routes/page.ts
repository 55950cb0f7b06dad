/** The public routes: the page, its assets and `/health` (never behind auth). */

import { Hono } from "hono";
import { loadAsset } from "../assets.js";
import type { ChatParts } from "../parts.js";

export function pageRoutes(parts: ChatParts): Hono {
  const app = new Hono();
  const { settings, agent, slots } = parts;

  app.get("/", (c) => {
    const page = loadAsset("index.html");
    if (!page) return parts.fail(c, 500, "INTERNAL", "The page is missing from the package.");
    // Mounted at "/chat" (no trailing slash), the page's relative URLs would resolve
    // against "/"; a relative <base> keeps them under the mount point, even behind a proxy.
    const path = c.req.path;
    const last = path.slice(path.lastIndexOf("/") + 1);
    const base = last ? `<base href="${escapeHtml(encodeURIComponent(last))}/" />` : "";
    const body = page.body
      .replaceAll("{{TITLE}}", escapeHtml(settings.title))
      .replace("<!--BASE-->", base);
    return c.body(body, 200, {
      "content-type": page.contentType,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
  });

  app.get("/assets/:name{.+}", (c) => {
    const name = c.req.param("name");
    const asset = loadAsset(name);
    if (!asset) return parts.fail(c, 404, "NOT_FOUND", `No asset ${name}.`);
    return c.body(asset.body, 200, {
      "content-type": asset.contentType,
      "cache-control": "public, max-age=300",
      "x-content-type-options": "nosniff",
      // Chart frames are opaque-origin iframes; they load Chart.js from here.
      "access-control-allow-origin": "*",
    });
  });

  app.get("/health", (c) => {
    const setup = parts.modelSetup();
    return parts.json(c, {
      ok: true,
      title: settings.title,
      model: setup?.model ?? agent.model ?? null,
      llm: setup
        ? {
            ready: setup.ready,
            ...(setup.missingEnvVar ? { missingEnvVar: setup.missingEnvVar } : {}),
            ...(setup.notice ? { notice: setup.notice } : {}),
            ...(setup.commands ? { commands: setup.commands } : {}),
          }
        : { ready: true },
      durable: safeCall(() => agent.usesDurableTools(), false),
      authRequired: parts.auth !== undefined,
      runs: {
        running: slots.running,
        queued: slots.queued,
        maxConcurrent: slots.concurrency,
        maxQueued: slots.maxQueued,
      },
      limits: {
        maxBodyBytes: settings.maxBodyBytes,
        maxMessageChars: settings.maxMessageChars,
        maxHistoryMessages: settings.maxHistoryMessages,
      },
    });
  });

  return app;
}

function safeCall<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}
