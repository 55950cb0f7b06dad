/**
 * `openApiTools()`: every operation of an OpenAPI 3.0/3.1 document as a codemode tool.
 * The result is an array of tools (pass it as `tools`, or inside a list beside others)
 * that also tells which operations were left out and why.
 */
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import { isPlainObject } from "../plain-object.js";
import type { ToolRename } from "../tools/python/names.js";
import type { Tool } from "../tools/types.js";
import {
  checkApprovalPolicy,
  methodAnnotations,
  type OpenApiApprovalPolicy,
  type OpenApiOperationInfo,
  operationNeedsApproval,
} from "./approval.js";
import { OpenApiError } from "./errors.js";
import { type LoadedDocument, loadOpenApiDocument, type OpenApiSource } from "./load.js";
import { methodAndPath, operationToolNames } from "./naming.js";
import { operationTool } from "./operation-tool.js";
import { asOpenApiError, documentOperations, type RawOperation } from "./operations.js";
import { type OperationInput, operationInput } from "./parameters.js";
import { RefResolver } from "./refs.js";
import { isHeaderName } from "./request.js";
import { successSchema } from "./response.js";
import { checkAuth, type OpenApiAuth, printable, SecurityPlan, unmetWarning } from "./security.js";

export interface OpenApiToolsOptions {
  /**
   * Where requests go: `https://api.example.com/v2` (the operation's path is appended).
   * Default: the document's first server URL (its variables at their defaults, a relative
   * URL resolved against the URL the document was fetched from).
   */
  baseUrl?: string;
  /**
   * Credentials for the document's security schemes, by their name in
   * `components.securitySchemes`: the API key (`apiKey`, sent in the header, query or
   * cookie the scheme names), the token (`http` `bearer`, `oauth2`, `openIdConnect`:
   * `Authorization: Bearer ...`), or `{ username, password }` (`http` `basic`); or a
   * function giving one before each call, sync or async (a token that expires). Each
   * operation sends the first alternative of its `security` (else the document's) that
   * these cover. Default: none; an operation that asks for credentials nobody gave is sent
   * without, with one warning. Never shown to the model, in records or in messages.
   */
  auth?: OpenApiAuth;
  /**
   * Headers sent with every call, e.g. `{ "X-Tenant": "acme" }`. A header named here wins
   * over the same header from `auth`. They stay on the host: never shown to the model,
   * never in tool-call records or messages.
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * Only these operations: a list of operationIds, tool names or `"GET /pets/{petId}"`
   * strings, or a function of the operation. Default: all.
   */
  include?: readonly string[] | ((operation: OpenApiOperationInfo) => boolean);
  /**
   * Which calls a human approves first. `"writes"` (default): every operation but GET,
   * HEAD and OPTIONS. `"none"`, `"all"`, or a function of the operation returning
   * `true`, `false` or a function of the call's arguments. See docs/approvals.md.
   */
  approve?: OpenApiApprovalPolicy;
  /** The fetch to send requests (and to download the document) with. Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
  /**
   * Time one call may take before Python sees a catchable `TimeoutError` (the request is
   * aborted). Default: the run's `limits.toolTimeoutMs` (20 s). Also bounds the download
   * of a document given as a URL (default 30 s).
   */
  timeoutMs?: number;
  /** Prepended to every tool name with an underscore, to tell two APIs apart. */
  prefix?: string;
  /** Python names your other tools use, so operations are renamed around them. */
  reservedNames?: Iterable<string>;
  /** Told about operations left out. Default: `console.warn`. */
  onWarning?: (message: string) => void;
}

/** An operation that could not become a tool, and why. */
export interface OpenApiSkippedOperation {
  /** The operationId, else `GET /path`. */
  readonly operation: string;
  /** Its JSON pointer: `#/paths/~1pets/post`. */
  readonly pointer: string;
  readonly reason: string;
}

/** What `openApiTools()` resolves to: the tools, plus what was left out or renamed. */
export interface OpenApiToolSet extends ReadonlyArray<Tool> {
  /** Operations left out (an unsupported body, an external `$ref`, ...), with the reason. */
  readonly skipped: readonly OpenApiSkippedOperation[];
  /** Operations whose tool name is not their snake_case operationId (a clash, a keyword). */
  readonly renamed: readonly ToolRename[];
  /** Tool name -> the operation it calls. */
  readonly operations: ReadonlyMap<string, OpenApiOperationInfo>;
  /** The document's `info.title`, when it has one. */
  readonly title: string | undefined;
}

const DOCUMENT_TIMEOUT_MS = 30_000;

/**
 * Reads an OpenAPI 3.0 or 3.1 document (an object, a file path or a URL; JSON or YAML) and
 * returns one tool per operation. Throws OpenApiError when the document cannot be read or
 * is not OpenAPI 3; an operation it cannot use is left out with a warning (see `skipped`).
 */
export function openApiTools(
  source: OpenApiSource,
  options: OpenApiToolsOptions = {},
): Promise<OpenApiToolSet> {
  return loadOpenApiTools(source, options);
}

/**
 * `openApiTools()` for the command line, whose `--openapi-auth` applies to several
 * documents: with `schemesSeen`, an `auth` name this document does not define is passed
 * over (not an error), and the names it defines are added to the set.
 */
export async function loadOpenApiTools(
  source: OpenApiSource,
  options: OpenApiToolsOptions,
  schemesSeen?: Set<string>,
): Promise<OpenApiToolSet> {
  const settings = readOptions(options);
  const loaded = await loadOpenApiDocument(source, {
    fetch: settings.fetch,
    timeoutMs: settings.timeoutMs ?? DOCUMENT_TIMEOUT_MS,
  });
  const refs = new RefResolver(loaded.document);
  const security = new SecurityPlan(loaded.document, refs, {
    auth: settings.auth,
    headers: settings.headers,
    lenient: schemesSeen !== undefined,
  });
  for (const name of security.schemes.keys()) schemesSeen?.add(name);
  const walk = documentOperations(loaded.document, refs);
  const skipped: OpenApiSkippedOperation[] = walk.failed.map(({ pointer, error }) => ({
    operation: pointer,
    pointer,
    reason: error.message,
  }));
  const planned = planOperations(walk.operations, refs, skipped);
  // Names are given over every operation that could be a tool, before `include` chooses,
  // so a tool's name does not depend on which others were kept.
  const { names, renamed } = operationToolNames(
    planned.map((p) => ({ method: p.raw.method, path: p.raw.path, operationId: p.operationId })),
    settings.prefix,
    settings.reservedNames,
  );
  const chosen = choose(
    planned.map((p) => ({
      planned: p,
      info: info(p.raw, p.operationId, names.get(methodAndPath(p.raw.method, p.raw.path))!),
    })),
    settings.include,
  );
  const { tools, operations, unmet } = buildTools(chosen, settings, loaded, skipped, security);
  if (unmet.length > 0) settings.onWarning(unmetWarning(loaded.label, security, unmet));
  if (skipped.length > 0) {
    settings.onWarning(
      `codemode: openApiTools(${loaded.label}) left out ${skipped.length} operation(s) it cannot call:\n` +
        skipped.map((s) => `  - ${s.operation}: ${s.reason}`).join("\n"),
    );
  }
  const title =
    isPlainObject(loaded.document.info) && typeof loaded.document.info.title === "string"
      ? loaded.document.info.title
      : undefined;
  return toolSet(tools, {
    skipped: Object.freeze(skipped),
    renamed: Object.freeze(renamed.filter((r) => operations.has(r.to))),
    operations,
    title,
  });
}

/** An operation whose arguments and answer could be read: a tool, once it has a name. */
interface Planned {
  raw: RawOperation;
  operationId: string | undefined;
  /** The operationId, else `GET /path`: how messages name it. */
  label: string;
  input: OperationInput;
  output: ReturnType<typeof successSchema>;
}

/** Reads each operation's parameters, body and response; one it cannot read goes to `skipped`. */
function planOperations(
  operations: readonly RawOperation[],
  refs: RefResolver,
  skipped: OpenApiSkippedOperation[],
): Planned[] {
  const planned: Planned[] = [];
  for (const raw of operations) {
    const operationId =
      typeof raw.operation.operationId === "string" && raw.operation.operationId !== ""
        ? raw.operation.operationId
        : undefined;
    const label = operationId ?? methodAndPath(raw.method, raw.path);
    try {
      planned.push({
        raw,
        operationId,
        label,
        input: operationInput(raw, refs, label),
        output: successSchema(raw, refs),
      });
    } catch (error) {
      skipped.push({
        operation: label,
        pointer: raw.pointer,
        reason: asOpenApiError(error, raw.pointer, label).message,
      });
    }
  }
  return planned;
}

/**
 * The chosen operations as tools. One that fails goes to `skipped`, except a bad option or a
 * missing server URL: those are the caller's to fix, so they throw.
 */
function buildTools(
  chosen: readonly { planned: Planned; info: OpenApiOperationInfo }[],
  settings: Settings,
  loaded: LoadedDocument,
  skipped: OpenApiSkippedOperation[],
  security: SecurityPlan,
) {
  const tools: Tool[] = [];
  const operations = new Map<string, OpenApiOperationInfo>();
  /** Operations that ask for credentials nobody gave: sent without, and said once. */
  const unmet: { operation: string; alternatives: string[][] }[] = [];
  for (const { planned: p, info: op } of chosen) {
    try {
      const baseUrl = settings.baseUrl ?? serverUrl(p.raw.servers, loaded, p.label);
      const needs = security.forOperation(p.raw);
      tools.push(
        operationTool({
          name: op.toolName,
          description: description(p.raw, p.input.notes),
          method: p.raw.method,
          path: p.raw.path,
          input: p.input,
          outputSchema: p.output,
          baseUrl,
          headers: settings.headers,
          security: needs.applied,
          fetch: settings.fetch,
          timeoutMs: settings.timeoutMs,
          needsApproval: operationNeedsApproval(settings.approve, op),
          annotations: methodAnnotations(op.method),
        }),
      );
      operations.set(op.toolName, op);
      if (needs.unmet) unmet.push({ operation: p.label, alternatives: needs.unmet });
    } catch (error) {
      if (error instanceof InvalidOptionsError) throw error;
      if (error instanceof OpenApiError && error.pointer === "#/servers") throw error;
      skipped.push({ operation: p.label, pointer: p.raw.pointer, reason: errorText(error) });
    }
  }
  return { tools, operations, unmet };
}

interface Settings {
  baseUrl: string | undefined;
  auth: OpenApiAuth;
  headers: Readonly<Record<string, string>>;
  include: OpenApiToolsOptions["include"];
  approve: OpenApiApprovalPolicy;
  fetch: typeof globalThis.fetch;
  timeoutMs: number | undefined;
  prefix: string | undefined;
  reservedNames: string[];
  onWarning: (message: string) => void;
}

function readOptions(options: OpenApiToolsOptions): Settings {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError("openApiTools(document, options): options must be an object.");
  }
  const { baseUrl, headers, include, fetch, timeoutMs, prefix, onWarning } = options;
  if (baseUrl !== undefined) {
    if (typeof baseUrl !== "string" || !URL.canParse(baseUrl)) {
      throw new InvalidOptionsError(
        `openApiTools({ baseUrl }) must be an absolute URL such as "https://api.example.com/v1" (got ${JSON.stringify(baseUrl)}).`,
      );
    }
  }
  const headerRecord: Record<string, string> = {};
  if (headers !== undefined) {
    if (!isPlainObject(headers)) {
      throw new InvalidOptionsError(
        'openApiTools({ headers }) must be a record such as { Authorization: "Bearer ..." }.',
      );
    }
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== "string") {
        throw new InvalidOptionsError(
          `openApiTools({ headers }): the value of "${name}" must be a string.`,
        );
      }
      headerRecord[name] = value;
    }
    for (const [name, value] of Object.entries(headerRecord)) {
      // Checked here rather than by fetch, whose message would quote the value (a secret).
      if (!isHeaderName(name) || /[\r\n\0]/.test(value)) {
        throw new InvalidOptionsError(
          `openApiTools({ headers }): "${printable(name)}" is not a valid header name, or its value holds a line break.`,
        );
      }
    }
  }
  if (include !== undefined && typeof include !== "function" && !Array.isArray(include)) {
    throw new InvalidOptionsError(
      'openApiTools({ include }) must be a list of operationIds, tool names or "GET /path" strings, or a function of the operation.',
    );
  }
  if (fetch !== undefined && typeof fetch !== "function") {
    throw new InvalidOptionsError("openApiTools({ fetch }) must be a fetch function.");
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
    throw new InvalidOptionsError(
      `openApiTools({ timeoutMs }) must be a positive number of milliseconds (got ${String(timeoutMs)}).`,
    );
  }
  if (
    prefix !== undefined &&
    (typeof prefix !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix))
  ) {
    throw new InvalidOptionsError(
      `openApiTools({ prefix }) must be an identifier such as "github" (got ${JSON.stringify(prefix)}).`,
    );
  }
  return {
    baseUrl,
    auth: checkAuth(options.auth),
    headers: Object.freeze(headerRecord),
    include,
    approve: checkApprovalPolicy(options.approve),
    fetch: fetch ?? globalThis.fetch,
    timeoutMs,
    prefix: prefix === "" ? undefined : prefix,
    reservedNames: [...(options.reservedNames ?? [])],
    onWarning: typeof onWarning === "function" ? onWarning : (message) => console.warn(message),
  };
}

function info(
  raw: RawOperation,
  operationId: string | undefined,
  toolName: string,
): OpenApiOperationInfo {
  const { summary, tags, deprecated } = raw.operation;
  return Object.freeze({
    toolName,
    ...(operationId !== undefined ? { operationId } : {}),
    method: raw.method.toUpperCase(),
    path: raw.path,
    ...(typeof summary === "string" && summary.trim() !== "" ? { summary: summary.trim() } : {}),
    tags: Object.freeze(
      Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [],
    ),
    deprecated: deprecated === true,
  });
}

/** The operations `include` keeps. A listed name that matches nothing is an error. */
function choose<T extends { info: OpenApiOperationInfo }>(
  items: readonly T[],
  include: OpenApiToolsOptions["include"],
): T[] {
  if (include === undefined) return [...items];
  if (typeof include === "function") return items.filter((item) => include(item.info) === true);
  const wanted = new Set(include);
  const matched = new Set<string>();
  const kept = items.filter(({ info: op }) => {
    const keys = [op.toolName, op.operationId, `${op.method} ${op.path}`];
    const hit = keys.filter((k): k is string => k !== undefined && wanted.has(k));
    for (const k of hit) matched.add(k);
    return hit.length > 0;
  });
  const unknown = [...wanted].filter((name) => !matched.has(name));
  if (unknown.length > 0) {
    throw new InvalidOptionsError(
      `openApiTools({ include }) names ${unknown.map((n) => JSON.stringify(n)).join(", ")}, which ` +
        'matches no operation: use operationIds, tool names or "GET /path" strings (the set\'s ' +
        "operations map lists them all).",
    );
  }
  return kept;
}

/** The operation's base URL from its servers; relative ones resolve against the document's URL. */
function serverUrl(servers: readonly unknown[], loaded: LoadedDocument, label: string): string {
  const server = servers[0];
  const missing = (why: string) =>
    new OpenApiError(
      "invalid",
      `${loaded.label}: ${why}, so codemode does not know where to send ${label}: pass openApiTools({ baseUrl: "https://..." }) (--openapi-base-url on the command line).`,
      { pointer: "#/servers", operation: label },
    );
  if (!isPlainObject(server) || typeof server.url !== "string")
    throw missing("the document lists no servers");
  const variables = isPlainObject(server.variables) ? server.variables : {};
  const url = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    return isPlainObject(variable) && typeof variable.default === "string"
      ? variable.default
      : whole;
  });
  if (URL.canParse(url)) return url;
  if (loaded.url && URL.canParse(url, loaded.url.href)) return new URL(url, loaded.url).href;
  throw missing(`its server URL "${server.url}" is not absolute`);
}

/** Summary, description, notes, then the method and path (also what search_tools matches). */
function description(raw: RawOperation, notes: readonly string[]): string {
  const { summary, description: text, deprecated } = raw.operation;
  const parts = [
    typeof summary === "string" ? summary.trim() : "",
    typeof text === "string" && text.trim() !== summary ? text.trim() : "",
    deprecated === true ? "Deprecated." : "",
    ...notes,
    `${raw.method.toUpperCase()} ${raw.path}`,
  ];
  return parts.filter((p) => p !== "").join("\n\n");
}

/** The tools array with the report attached as non-enumerable properties. */
function toolSet(
  tools: Tool[],
  report: Pick<OpenApiToolSet, "skipped" | "renamed" | "operations" | "title">,
): OpenApiToolSet {
  const hidden = (value: unknown): PropertyDescriptor => ({ value, enumerable: false });
  Object.defineProperties(tools, {
    skipped: hidden(report.skipped),
    renamed: hidden(report.renamed),
    operations: hidden(report.operations),
    title: hidden(report.title),
  });
  return Object.freeze(tools) as unknown as OpenApiToolSet;
}
