/**
 * `createChatApp`: the chat web app as a Hono app. The page and its assets, `/health`, and
 * the JSON API (`/api/chat`, `/api/approvals`, `/api/forget`, `/api/tools`, `/api/nudges`)
 * that the page and other clients use. Mount it in any Hono or Node server, or start it
 * with `startChatServer`.
 *
 * One file per route group under `routes/`, mounted here with `app.route()`; what they share
 * (settings, stores, run slots, answers, body reading) is `ChatParts` (parts.ts), and every
 * run is answered by `runResponse` (run-response.ts).
 */

import { Hono } from "hono";
import { CodeModeError } from "../errors.js";
import { checkOptions } from "./options.js";
import { createParts } from "./parts.js";
import { approvalRoutes } from "./routes/approvals.js";
import { chatRoutes } from "./routes/chat.js";
import { forgetRoutes } from "./routes/forget.js";
import { pageRoutes } from "./routes/page.js";
import { toolRoutes } from "./routes/tools.js";
import type { ChatAppOptions } from "./types.js";

/** Builds the chat app. Throws `InvalidOptionsError` for a bad option. */
export function createChatApp(options: ChatAppOptions): Hono {
  const parts = createParts(options, checkOptions(options));
  const app = new Hono();

  app.onError((error, c) => {
    // Unexpected failures: say what failed without a stack or internals.
    const message = error instanceof CodeModeError ? error.message : "Internal server error.";
    return parts.fail(c, 500, error instanceof CodeModeError ? error.code : "INTERNAL", message);
  });
  app.notFound((c) =>
    parts.fail(c, 404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`),
  );

  app.route("/", pageRoutes(parts));

  // Everything under /api/ is behind auth (registered first, so it runs first).
  app.use("/api/*", async (c, next) => {
    if (parts.auth && !(await parts.auth(c.req.raw))) {
      return parts.fail(
        c,
        401,
        "UNAUTHORIZED",
        parts.authIsHook
          ? "Missing or wrong credentials."
          : "Missing or wrong credentials. Send the chat token as `Authorization: Bearer <token>`.",
        { "www-authenticate": 'Bearer realm="codemode chat"' },
      );
    }
    await next();
  });
  app.route("/", toolRoutes(parts));
  app.route("/", chatRoutes(parts));
  app.route("/", forgetRoutes(parts));
  app.route("/", approvalRoutes(parts));
  return app;
}
