/**
 * Reading an OpenAPI document: from an object, a file or a URL, as JSON or YAML, and
 * checking that it is OpenAPI 3.0 or 3.1 before anything else looks at it.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { errorText } from "../error-text.js";
import { isPlainObject } from "../plain-object.js";
import { OpenApiError } from "./errors.js";

/** An OpenAPI document as an object, or where to read it: a file path or an http(s)/file URL. */
export type OpenApiSource = string | URL | Readonly<Record<string, unknown>>;

export interface LoadedDocument {
  readonly document: Readonly<Record<string, unknown>>;
  /** "3.0" or "3.1". */
  readonly version: "3.0" | "3.1";
  /** Where it came from, for messages: the path, the URL, or "the document object". */
  readonly label: string;
  /** The URL it was read from, against which relative server URLs resolve. */
  readonly url?: URL;
}

export interface LoadOptions {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
}

/** Reads and checks `source`. Throws OpenApiError (`unreachable` or `invalid`). */
export async function loadOpenApiDocument(
  source: OpenApiSource,
  options: LoadOptions,
): Promise<LoadedDocument> {
  if (isPlainObject(source)) return checked(source, "the document object");
  let url: URL | undefined;
  if (source instanceof URL) url = source;
  else if (typeof source === "string" && /^(https?|file):\/\//i.test(source)) url = new URL(source);
  else if (typeof source !== "string" || source === "") {
    throw new OpenApiError(
      "invalid",
      "openApiTools() needs an OpenAPI document: an object, a file path or an http(s) URL.",
    );
  }
  if (url && url.protocol !== "file:") {
    const text = await download(url, options);
    return checked(parse(text, url.href), url.href, url);
  }
  const file = url ? fileURLToPath(url) : resolve(source as string);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new OpenApiError(
      "unreachable",
      `Cannot read the OpenAPI document ${file} (${errorText(error)}): check the path.`,
      { cause: error },
    );
  }
  return checked(parse(text, file), file);
}

async function download(url: URL, options: LoadOptions): Promise<string> {
  let response: Response;
  try {
    response = await options.fetch(url, {
      headers: { accept: "application/json, application/yaml, text/yaml, */*" },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new OpenApiError(
      "unreachable",
      `Cannot fetch the OpenAPI document ${url.href} (${errorText(error)}): check the URL ` +
        "and that the server is up, or pass the document as a file or an object.",
      { cause: error },
    );
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    throw new OpenApiError(
      "unreachable",
      `Fetching the OpenAPI document ${url.href} answered HTTP ${response.status} ` +
        `${response.statusText}: check the URL (and whether it needs credentials; ` +
        "download it and pass the file if so).",
    );
  }
  return text;
}

/** JSON when it looks like JSON, else YAML (a superset of JSON, but slower and laxer). */
function parse(text: string, label: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed);
    } catch (error) {
      throw new OpenApiError(
        "invalid",
        `${label} is not valid JSON (${errorText(error)}): fix the document.`,
        { cause: error },
      );
    }
  }
  return parseYaml(text, label);
}

let yamlModule: typeof import("yaml") | undefined;

function parseYaml(text: string, label: string): unknown {
  yamlModule ??= loadYaml();
  try {
    // Anchors are allowed, but a "billion laughs" document is refused by the alias limit.
    return yamlModule.parse(text, { maxAliasCount: 1000, prettyErrors: true });
  } catch (error) {
    throw new OpenApiError(
      "invalid",
      `${label} is neither JSON nor valid YAML (${errorText(error).split("\n")[0]}): fix the document.`,
      { cause: error },
    );
  }
}

/** The YAML parser loads on first use: documents given as JSON or objects never pay for it. */
function loadYaml(): typeof import("yaml") {
  // A synchronous require keeps parse() synchronous; `yaml` ships CommonJS beside ESM.
  return createRequire(import.meta.url)("yaml") as typeof import("yaml");
}

function checked(value: unknown, label: string, url?: URL): LoadedDocument {
  if (!isPlainObject(value)) {
    throw new OpenApiError(
      "invalid",
      `${label} is not an OpenAPI document: expected an object with "openapi" and "paths".`,
    );
  }
  const version = value.openapi;
  if (value.swagger !== undefined) {
    throw new OpenApiError(
      "unsupported",
      `${label} is Swagger ${String(value.swagger)}: codemode reads OpenAPI 3.0 and 3.1. ` +
        "Convert it first (for example with swagger2openapi).",
      { pointer: "#/swagger" },
    );
  }
  const match = typeof version === "string" ? /^3\.([01])\.\d+/.exec(version) : null;
  if (!match) {
    throw new OpenApiError(
      typeof version === "string" ? "unsupported" : "invalid",
      typeof version === "string"
        ? `${label} is OpenAPI ${version}: codemode reads OpenAPI 3.0.x and 3.1.x.`
        : `${label} has no "openapi" version field: is it an OpenAPI 3 document?`,
      { pointer: "#/openapi" },
    );
  }
  if (value.paths !== undefined && !isPlainObject(value.paths)) {
    throw new OpenApiError("invalid", `${label}: "paths" must be an object of path items.`, {
      pointer: "#/paths",
    });
  }
  return {
    document: value,
    version: match[1] === "0" ? "3.0" : "3.1",
    label,
    ...(url ? { url } : {}),
  };
}
