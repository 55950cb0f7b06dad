/**
 * `--openapi <file|url>` (repeatable), `--openapi-header "Name: value"` (repeatable) and
 * `--openapi-base-url <url>` for the commands that take tools: each document becomes an
 * `openApiTools()` set beside (or instead of) the `--tools` module. Header values are
 * secrets: no message or log line repeats them.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidOptionsError } from "../errors.js";
import { openApiTools } from "../openapi/open-api-tools.js";
import { isHeaderName } from "../openapi/request.js";
import { normalizeTools, type ToolSetInput } from "../tools/define/tool-set.js";
import { loadToolsModule, type ToolsModule } from "./load-tools.js";
import { collect } from "./options.js";

export interface OpenApiCliOptions {
  openapi?: string[];
  openapiHeader?: string[];
  openapiBaseUrl?: string;
}

/**
 * Adds the options to `command`; `documents: false` leaves out `--openapi` itself (for
 * `codemode resume`, whose documents are those of the saved run).
 */
export function addOpenApiOptions(command: Command, documents = true): Command {
  if (documents) {
    command.option(
      "--openapi <file|url>",
      "an OpenAPI 3.0/3.1 document (JSON or YAML) whose operations become tools (repeatable)",
      collect,
      [],
    );
  }
  return command
    .option(
      "--openapi-header <header>",
      'a header sent with every API call, e.g. "Authorization: Bearer $API_TOKEN" (repeatable; never logged)',
      collect,
      [],
    )
    .option(
      "--openapi-base-url <url>",
      "where API calls go, instead of the documents' own server URLs",
    );
}

/** `--openapi` documents as relative paths resolved (URLs as they are), for a saved run. */
export function openApiSources(options: OpenApiCliOptions): string[] {
  return (options.openapi ?? []).map((source) =>
    /^(https?|file):\/\//i.test(source) ? source : resolve(source),
  );
}

/** `"Authorization: Bearer x"` -> `{ Authorization: "Bearer x" }`; errors never quote the value. */
export function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  lines.forEach((line, i) => {
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    if (!isHeaderName(name)) {
      throw new InvalidOptionsError(
        `--openapi-header number ${i + 1} is not "Name: value" (a header name, a colon, the value), ` +
          'e.g. --openapi-header "Authorization: Bearer $API_TOKEN".',
      );
    }
    headers[name] = line.slice(colon + 1).trim();
  });
  return headers;
}

/**
 * The `--tools` module (when given) with one `openApiTools()` set per `--openapi`
 * document added to its tools. Names an API would share with the module's tools, or with
 * an earlier document's, are renamed (`_2`); what a document leaves out is said on stderr.
 */
export async function toolsFromCli(
  toolsFile: string | null | undefined,
  options: OpenApiCliOptions,
  sources: readonly string[] = openApiSources(options),
): Promise<ToolsModule> {
  const loaded: ToolsModule = toolsFile ? await loadToolsModule(toolsFile) : { tools: [] };
  if (sources.length === 0) {
    if ((options.openapiHeader ?? []).length > 0 || options.openapiBaseUrl !== undefined) {
      throw new InvalidOptionsError(
        "--openapi-header and --openapi-base-url apply to --openapi documents: pass --openapi <file|url> too.",
      );
    }
    return loaded;
  }
  const headers = parseHeaders(options.openapiHeader ?? []);
  const base = normalizeTools(loaded.tools);
  const taken = new Set(base.map((t) => t.name));
  const sets: (readonly unknown[])[] = [];
  for (const source of sources) {
    const set = await openApiTools(source, {
      headers,
      ...(options.openapiBaseUrl !== undefined ? { baseUrl: options.openapiBaseUrl } : {}),
      reservedNames: taken,
      onWarning: (message) => process.stderr.write(`${message}\n`),
    });
    for (const tool of set) taken.add(tool.name);
    sets.push(set);
  }
  // A set the module exports (an mcpTools() set) stays one live member, with its close();
  // a list's own members stay as they are; a record becomes its tools.
  const own: unknown[] = !Array.isArray(loaded.tools)
    ? [base]
    : typeof (loaded.tools as { close?: unknown }).close === "function"
      ? [loaded.tools]
      : [...loaded.tools];
  return { ...loaded, tools: [...own, ...sets] as unknown as ToolSetInput };
}
