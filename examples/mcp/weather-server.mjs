#!/usr/bin/env node
/**
 * A small MCP server over stdio, written with the official SDK, for the docs and for
 * trying `mcpTools()`: `get-forecast(city)` with structured output, `radar(city)`
 * returning an image, and the slow `climate-history(city)`. Run it with `node examples/mcp/weather-server.mjs`.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const FORECASTS = {
  Paris: { high_c: 21, summary: "sunny" },
  Oslo: { high_c: 9, summary: "rain" },
  Lima: { high_c: 18, summary: "cloudy" },
};
// A 1x1 PNG.
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const server = new McpServer({ name: "weather", version: "1.0.0" });

server.registerTool(
  "get-forecast",
  {
    description: "Tomorrow's forecast for a city.",
    inputSchema: { city: z.string().describe("City name, e.g. Paris") },
    outputSchema: { city: z.string(), high_c: z.number(), summary: z.string() },
  },
  async ({ city }) => {
    const forecast = FORECASTS[city];
    if (!forecast) {
      return { isError: true, content: [{ type: "text", text: `no forecast for ${city}` }] };
    }
    const structuredContent = { city, ...forecast };
    return {
      content: [{ type: "text", text: JSON.stringify(structuredContent) }],
      structuredContent,
    };
  },
);

server.registerTool(
  "radar",
  {
    description: "The rain radar image for a city.",
    inputSchema: { city: z.string() },
  },
  async () => ({ content: [{ type: "image", data: PNG, mimeType: "image/png" }] }),
);

server.registerTool(
  "climate-history",
  {
    description: "Average yearly high of a city. Slow: it reads an archive (about 1 s).",
    inputSchema: { city: z.string() },
  },
  async ({ city }, extra) => {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 1000);
      // A client that gives up sends a cancellation: stop the work.
      extra.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(new Error("cancelled"));
      });
    });
    return { content: [{ type: "text", text: String(FORECASTS[city]?.high_c ?? 0) }] };
  },
);

await server.connect(new StdioServerTransport());
