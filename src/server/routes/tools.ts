/** `GET /api/tools` (the sidebar's tool list) and `GET /api/nudges` (the suggested prompts). */

import { Hono } from "hono";
import type { ChatParts } from "../parts.js";

export function toolRoutes(parts: ChatParts): Hono {
  const app = new Hono();
  app.get("/api/tools", (c) => parts.json(c, { tools: parts.agent.toolDescriptions() }));
  app.get("/api/nudges", (c) => parts.json(c, { nudges: parts.nudges }));
  return app;
}
