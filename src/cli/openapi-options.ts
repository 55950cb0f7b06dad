/**
 * `--openapi <file|url>` (repeatable), `--openapi-header "Name: value"` (repeatable),
 * `--openapi-auth scheme=value` (repeatable) and `--openapi-base-url <url>` for the
 * commands that take tools: each document becomes an `openApiTools()` set beside (or
 * instead of) the `--tools` module. Header values and credentials are secrets: no message
 * or log line repeats them, and a saved run does not hold them.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidOptionsError } from "../errors.js";
import { loadOpenApiTools } from "../openapi/open-api-tools.js";
import { isHeaderName } from "../openapi/request.js";
import { normalizeTools, type ToolSetInput } from "../tools/define/tool-set.js";
import { loadToolsModule, type ToolsModule } from "./load-tools.js";
import { collect } from "./options.js";

export interface OpenApiCliOptions {
  openapi?: string[];
  openapiHeader?: string[];
  openapiAuth?: string[];
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
      "--openapi-auth <scheme=value>",
      'a credential for a security scheme of the documents, e.g. "bearerAuth=$API_TOKEN", "basicAuth=user:password" (repeatable; never logged)',
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
 * `"bearerAuth=tok"` -> `{ bearerAuth: "tok" }` (basic's value is `user:password`);
 * errors never quote the value.
 */
export function parseAuth(lines: readonly string[]): Record<string, string> {
  const auth: Record<string, string> = {};
  lines.forEach((line, i) => {
    const equals = line.indexOf("=");
    const name = equals > 0 ? line.slice(0, equals).trim() : "";
    if (!/^[A-Za-z0-9._-]+$/.test(name)) {
      throw new InvalidOptionsError(
        `--openapi-auth number ${i + 1} is not "scheme=value" (a security scheme name from the document, "=", the credential), ` +
          'e.g. --openapi-auth "bearerAuth=$API_TOKEN".',
      );
    }
    if (Object.hasOwn(auth, name)) {
      throw new InvalidOptionsError(`--openapi-auth gives "${name}" twice: pass it once.`);
    }
    const value = line.slice(equals + 1);
    if (value.trim() === "") {
      throw new InvalidOptionsError(
        `--openapi-auth number ${i + 1} gives "${name}" an empty value (is its environment variable set?).`,
      );
    }
    auth[name] = value;
  });
  return auth;
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
    if (
      (options.openapiHeader ?? []).length > 0 ||
      (options.openapiAuth ?? []).length > 0 ||
      options.openapiBaseUrl !== undefined
    ) {
      throw new InvalidOptionsError(
        "--openapi-header, --openapi-auth and --openapi-base-url apply to --openapi documents: pass --openapi <file|url> too.",
      );
    }
    return loaded;
  }
  const base = normalizeTools(loaded.tools);
  const sets = await openApiSets(sources, options, new Set(base.map((t) => t.name)));
  // A set the module exports (an mcpTools() set) stays one live member, with its close();
  // a list's own members stay as they are; a record becomes its tools.
  const own: unknown[] = !Array.isArray(loaded.tools)
    ? [base]
    : typeof (loaded.tools as { close?: unknown }).close === "function"
      ? [loaded.tools]
      : [...loaded.tools];
  return { ...loaded, tools: [...own, ...sets] as unknown as ToolSetInput };
}

/**
 * One `openApiTools()` set per document, named around `taken` and each other. Each takes
 * the `--openapi-auth` credentials of the schemes it defines; a scheme no document
 * defines is a mistake said once all are read.
 */
async function openApiSets(
  sources: readonly string[],
  options: OpenApiCliOptions,
  taken: Set<string>,
): Promise<(readonly unknown[])[]> {
  const headers = parseHeaders(options.openapiHeader ?? []);
  const auth = parseAuth(options.openapiAuth ?? []);
  const sets: (readonly unknown[])[] = [];
  const schemes = new Set<string>();
  for (const source of sources) {
    const set = await loadOpenApiTools(
      source,
      {
        headers,
        auth,
        ...(options.openapiBaseUrl !== undefined ? { baseUrl: options.openapiBaseUrl } : {}),
        reservedNames: taken,
        onWarning: (message) => process.stderr.write(`${message}\n`),
      },
      schemes,
    );
    for (const tool of set) taken.add(tool.name);
    sets.push(set);
  }
  const unknown = Object.keys(auth).filter((name) => !schemes.has(name));
  if (unknown.length > 0) {
    const known = [...schemes].map((n) => JSON.stringify(n)).join(", ");
    throw new InvalidOptionsError(
      `--openapi-auth names ${unknown.map((n) => JSON.stringify(n)).join(", ")}, which no --openapi document defines: ` +
        (known ? `their security schemes are ${known}.` : "they define no security schemes."),
    );
  }
  return sets;
}
