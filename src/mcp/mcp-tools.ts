/**
 * `mcpTools()`: every tool of an MCP server as a codemode tool. The result is an array of
 * tools (pass it into `tools`, alone or in a list) that also owns the connection: `close()` or
 * `await using` ends the session and stops a stdio server's process.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { errorText } from "../error-text.js";
import { InvalidOptionsError, ToolDefinitionError, ToolError } from "../errors.js";
import { isRecord } from "../plain-object.js";
import { listedAnnotations } from "../tools/define/annotations.js";
import { defineTool } from "../tools/define/define-tool.js";
import { claimTools } from "../tools/define/tool-set.js";
import type { JsonSchema, Tool } from "../tools/types.js";
import { connectMcp, type McpConnection, type McpServerSpec } from "./connect.js";
import { McpConnectionError } from "./errors.js";
import { cleanPrefix, type McpRename, pythonParameterNames, pythonToolNames } from "./names.js";
import { toolResultValue } from "./result.js";

/**
 * How long an MCP request may wait when nothing else bounds it (a tool called outside
 * `execute()` without `timeoutMs`). Inside a run, the run's `limits.toolTimeoutMs` is sooner.
 */
export const MCP_REQUEST_BACKSTOP_MS = 10 * 60_000;

export interface McpToolsCommonOptions {
  /**
   * Prepended to every tool name with an underscore: `prefix: "weather"` turns
   * `get-forecast` into `weather_get_forecast`. Use one per server when combining servers.
   */
  prefix?: string;
  /**
   * Time one call may take before it fails with a catchable `TimeoutError` in Python (and
   * the MCP request is cancelled). Default: the run's `limits.toolTimeoutMs` (20 s).
   */
  timeoutMs?: number;
  /** Time to start/connect and list the tools. Default 30 000 ms. */
  connectTimeoutMs?: number;
  /** Only these tools (by MCP name, or a predicate on the MCP name). Default: all. */
  include?: readonly string[] | ((mcpName: string) => boolean);
  /** Python names already used by your other tools, so MCP tools are renamed around them. */
  reservedNames?: Iterable<string>;
}

export type McpToolsOptions = McpServerSpec & McpToolsCommonOptions;

export interface McpServerInfo {
  /** The server's own name (from initialisation), else its command or URL. */
  name: string;
  transport: "stdio" | "streamable-http" | "sse";
  pid?: number;
  /** The prefix its tools got, if any. */
  prefix?: string;
}

/** A tool the server listed that could not be turned into a codemode tool. */
export interface McpSkippedTool {
  name: string;
  reason: string;
}

/**
 * What `mcpTools()` resolves to: the tools, plus the connection's handle and report. The
 * array is live: when a server sends `notifications/tools/list_changed`, the set lists its
 * tools again and updates itself in place (a tool call whose server announced a change
 * returns once the set is updated). Pass the set itself as `tools` (or inside a list,
 * `[mcp, getPrice]`) for the agent and `execute()` to follow it: the set is a `ToolSource`
 * (`current()`, `version`), read by its version. A spread copy `[...mcp]` does not follow
 * it; passing one emits a `CODEMODE_TOOL_SOURCE_COPIED` process warning once per set.
 */
export interface McpToolSet extends ReadonlyArray<Tool> {
  /** Tools whose Python name differs from `prefix_` + MCP name, and why. */
  readonly renamed: readonly McpRename[];
  /** Tools left out because their schema could not be read. */
  readonly skipped: readonly McpSkippedTool[];
  /** The server's process id (one stdio server; undefined otherwise). */
  readonly pid: number | undefined;
  /** Each connected server: its name, the transport used and, for stdio, its process id. */
  readonly servers: readonly McpServerInfo[];
  /** Python name -> MCP tool name. */
  readonly mcpNames: ReadonlyMap<string, string>;
  /**
   * Lists the tools again now and updates the set, for servers that change their tools
   * without telling. Rejects with McpConnectionError when a server cannot list them (the
   * set keeps its tools; a refresh after a notification that fails keeps them too).
   */
  refresh(): Promise<void>;
  /** The tools now, as a frozen array that stays the same until `version` changes. */
  current(): readonly Tool[];
  /** Goes up by one each time the set updated itself (0 for the tools it connected with). */
  readonly version: number;
  /** Ends the session(s) and stops stdio server processes. Safe to call twice. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const LIST_PAGE_LIMIT = 1000;

/**
 * Connects to an MCP server, lists its tools (following `nextCursor`) and returns them as
 * codemode tools. `{ command, args, env?, cwd? }` starts a stdio server; `{ url, headers? }`
 * connects over Streamable HTTP (falling back to HTTP+SSE). Throws McpConnectionError when
 * the server cannot be reached; close the result when you are done.
 */
export async function mcpTools(options: McpToolsOptions): Promise<McpToolSet> {
  const common = readCommon(options);
  const connection = await connectMcp(options, { timeoutMs: common.connectTimeoutMs });
  try {
    const reserved = new Set(common.reservedNames);
    const sync: ListSync = { pending: undefined };
    const built = await buildTools(connection, common, reserved, sync);
    const info: McpServerInfo = {
      name: connection.name,
      transport: connection.transport,
      ...(connection.pid !== undefined ? { pid: connection.pid } : {}),
      ...(common.prefix ? { prefix: common.prefix } : {}),
    };
    let again = false;
    const refresh = (): Promise<void> => {
      if (sync.pending) {
        again = true;
        return sync.pending;
      }
      const run = async () => {
        try {
          do {
            again = false;
            live.update(await buildTools(connection, common, reserved, sync));
          } while (again);
        } finally {
          sync.pending = undefined;
        }
      };
      sync.pending = run();
      return sync.pending;
    };
    const live = toolSet(built, [info], [connection], refresh);
    connection.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      // A failed re-list keeps the tools the set had; refresh() reports such failures.
      refresh().catch(() => {});
    });
    return live.set;
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/**
 * Several servers at once, each prefixed by its key: `mcpToolSets({ weather: {...},
 * files: {...} })` gives `weather_get_forecast`, `files_read_file`, ... A `prefix` in a
 * server's options overrides its key (`prefix: ""` for none). Connects in parallel; if one
 * server fails, the others are closed and the error is thrown.
 */
export async function mcpToolSets(
  servers: Readonly<Record<string, McpToolsOptions>>,
): Promise<McpToolSet> {
  if (typeof servers !== "object" || servers === null || Array.isArray(servers)) {
    throw new InvalidOptionsError(
      "mcpToolSets() expects a record { prefix: serverOptions }, e.g. { weather: { command, args } }.",
    );
  }
  const entries = Object.entries(servers);
  const settled = await Promise.allSettled(
    entries.map(([key, server]) => mcpTools({ ...server, prefix: server.prefix ?? key })),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  const sets = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (failed) {
    await Promise.all(sets.map((s) => s.close()));
    throw failed.reason;
  }
  const tools = sets.flat();
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.name)) {
      await Promise.all(sets.map((s) => s.close()));
      throw new ToolDefinitionError(
        `Two MCP servers both give a tool named ${tool.name}: give the servers different ` +
          "prefixes (the record keys of mcpToolSets).",
      );
    }
    seen.add(tool.name);
  }
  const live = toolSet(
    combined(sets),
    sets.flatMap((s) => s.servers),
    sets,
    async () => {
      await Promise.all(sets.map((s) => s.refresh()));
    },
  );
  for (const set of sets) onChanged(set, () => live.update(combined(sets)));
  return live.set;
}

/** The tools of several sets as one; a name a later change made twice is skipped, and said so. */
function combined(sets: readonly McpToolSet[]): Contents {
  const seen = new Set<string>();
  const tools: Tool[] = [];
  const skipped = sets.flatMap((s) => s.skipped);
  for (const tool of sets.flat()) {
    if (seen.has(tool.name)) {
      skipped.push({ name: tool.name, reason: "another server already gives a tool of this name" });
      continue;
    }
    seen.add(tool.name);
    tools.push(tool);
  }
  return {
    tools,
    renamed: sets.flatMap((s) => s.renamed),
    skipped,
    mcpNames: new Map(sets.flatMap((s) => [...s.mcpNames])),
  };
}

interface Common {
  prefix: string | undefined;
  timeoutMs: number | undefined;
  connectTimeoutMs: number;
  include: ((name: string) => boolean) | undefined;
  reservedNames: string[];
}

function readCommon(options: McpToolsOptions): Common {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      "mcpTools() needs { command, args } for a stdio server or { url } for an HTTP server.",
    );
  }
  const positive = <T extends number | undefined>(value: unknown, name: string, fallback: T) => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !(value > 0)) {
      throw new InvalidOptionsError(
        `mcpTools({ ${name} }) must be a positive number of milliseconds (got ${String(value)}).`,
      );
    }
    return value as number;
  };
  if (options.prefix !== undefined && typeof options.prefix !== "string") {
    throw new InvalidOptionsError('mcpTools({ prefix }) must be a string such as "weather".');
  }
  const include = options.include;
  let includeFn: ((name: string) => boolean) | undefined;
  if (typeof include === "function") includeFn = include;
  else if (Array.isArray(include)) {
    const names = new Set(include);
    includeFn = (name) => names.has(name);
  } else if (include !== undefined) {
    throw new InvalidOptionsError(
      "mcpTools({ include }) must be a list of MCP tool names or a function (name) => boolean.",
    );
  }
  return {
    prefix: options.prefix ? cleanPrefix(options.prefix) : undefined,
    timeoutMs: positive(options.timeoutMs, "timeoutMs", undefined),
    connectTimeoutMs: positive(options.connectTimeoutMs, "connectTimeoutMs", 30_000),
    include: includeFn,
    reservedNames: [...(options.reservedNames ?? [])],
  };
}

interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: { title?: string; [hint: string]: unknown };
}

/** Every tool, across pages. Stops on a repeated cursor so a buggy server cannot loop us. */
async function listAllTools(connection: McpConnection, timeoutMs: number): Promise<ListedTool[]> {
  const tools: ListedTool[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < LIST_PAGE_LIMIT; page++) {
    let result: Awaited<ReturnType<Client["listTools"]>>;
    try {
      result = await connection.client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: timeoutMs,
      });
    } catch (error) {
      throw new McpConnectionError(
        `MCP server ${connection.label} did not list its tools: ${errorText(error)}.`,
        { cause: error },
      );
    }
    tools.push(...(result.tools as ListedTool[]));
    const next = result.nextCursor;
    if (next === undefined || next === null || next === "" || cursors.has(next)) break;
    cursors.add(next);
    cursor = next;
  }
  return tools;
}

/** What a set holds at one time. */
interface Contents {
  tools: Tool[];
  renamed: McpRename[];
  skipped: McpSkippedTool[];
  mcpNames: Map<string, string>;
}

/** The re-list in progress, if any: a tool call waits for it before it returns. */
interface ListSync {
  pending: Promise<void> | undefined;
}

async function buildTools(
  connection: McpConnection,
  common: Common,
  reserved: ReadonlySet<string>,
  sync: ListSync,
): Promise<Contents> {
  const listed = (await listAllTools(connection, common.connectTimeoutMs)).filter(
    (t) => !common.include || common.include(t.name),
  );
  const { names, renamed } = pythonToolNames(
    listed.map((t) => t.name),
    common.prefix,
    reserved,
  );
  const tools: Tool[] = [];
  const skipped: McpSkippedTool[] = [];
  const mcpNames = new Map<string, string>();
  for (const listedTool of listed) {
    const name = names.get(listedTool.name)!;
    try {
      tools.push(mcpTool(connection, listedTool, name, common.timeoutMs, sync));
      mcpNames.set(name, listedTool.name);
    } catch (error) {
      skipped.push({ name: listedTool.name, reason: errorText(error) });
    }
  }
  return { tools, renamed: renamed.filter((r) => mcpNames.has(r.to)), skipped, mcpNames };
}

/** One MCP tool as a codemode tool named `name`. */
function mcpTool(
  connection: McpConnection,
  listed: ListedTool,
  name: string,
  timeoutMs: number | undefined,
  sync: ListSync,
): Tool {
  const { schema, back } = pythonInputSchema(listed.inputSchema);
  const notes: string[] = [];
  if (name !== listed.name) notes.push(`MCP tool "${listed.name}".`);
  const renamedParams = [...back].filter(([py, mcp]) => py !== mcp);
  if (renamedParams.length > 0) {
    notes.push(
      `Arguments renamed for Python: ${renamedParams.map(([py, mcp]) => `${py} (MCP "${mcp}")`).join(", ")}.`,
    );
  }
  const text = listed.description ?? listed.title ?? listed.annotations?.title ?? "";
  const description = [text.trim(), ...notes].filter((s) => s !== "").join("\n\n");
  const where = `MCP tool "${listed.name}" on server ${connection.label}`;
  const annotations = listedAnnotations(listed.annotations);
  return defineTool({
    name,
    description,
    parameters: schema,
    ...(annotations ? { annotations } : {}),
    ...(isRecord(listed.outputSchema) ? { returns: listed.outputSchema } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    execute: async (input, context) => {
      const args: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(input)) {
        if (value !== undefined) args[back.get(key) ?? key] = value;
      }
      let result: Record<string, unknown>;
      try {
        result = (await connection.client.callTool(
          { name: listed.name, arguments: args },
          undefined,
          {
            signal: context.signal,
            // The run's per-call timer normally fires first and aborts `signal` (which cancels
            // the request on the server); this one bounds calls made outside a run.
            timeout: timeoutMs ?? MCP_REQUEST_BACKSTOP_MS,
          },
        )) as Record<string, unknown>;
      } catch (error) {
        throw callError(error, where, timeoutMs ?? MCP_REQUEST_BACKSTOP_MS, connection);
      }
      // A server announces a change before it answers the call that made it: the next line
      // of the program (and the next program) should see the new tools.
      await sync.pending?.catch(() => {});
      return toolResultValue(result, where);
    },
  });
}

/** A failed call as the exception Python sees: a timeout is `TimeoutError`, else `RuntimeError`. */
function callError(
  error: unknown,
  where: string,
  timeoutMs: number,
  connection: McpConnection,
): Error {
  if (error instanceof McpError && error.code === -32001) {
    return new ToolError(
      `${where} did not answer within ${timeoutMs} ms (raise mcpTools({ timeoutMs }) if it needs longer)`,
      { pythonType: "TimeoutError", cause: error },
    );
  }
  const closed =
    (error instanceof McpError && error.code === -32000) ||
    (error instanceof Error && error.message === "Not connected");
  if (closed) {
    const stderr = connection.stderrTail().trim().slice(-500);
    return new ToolError(
      `${where} failed: the server is no longer connected (its process exited or it closed ` +
        `the connection); connect again with mcpTools().${stderr ? ` Server stderr: ${stderr}` : ""}`,
      { cause: error },
    );
  }
  if ((error as { name?: unknown }).name === "AbortError") return error as Error;
  return new ToolError(`${where} failed: ${errorText(error)}`, { cause: error });
}

/**
 * The input schema with property names Python can pass as keywords, and the map back.
 * The schema is otherwise the server's own, so validation matches what it expects.
 */
function pythonInputSchema(input: unknown): { schema: JsonSchema; back: Map<string, string> } {
  const schema: JsonSchema = isRecord(input) ? { ...input } : { type: "object", properties: {} };
  const properties =
    typeof schema.properties === "object" && schema.properties !== null
      ? (schema.properties as Record<string, unknown>)
      : {};
  const back = pythonParameterNames(Object.keys(properties));
  const forward = new Map([...back].map(([py, mcp]) => [mcp, py]));
  if ([...back].some(([py, mcp]) => py !== mcp)) {
    schema.properties = Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [forward.get(key) ?? key, value]),
    );
    if (Array.isArray(schema.required)) {
      schema.required = schema.required.map((r) =>
        typeof r === "string" ? (forward.get(r) ?? r) : r,
      );
    }
  }
  if (schema.type === undefined) schema.type = "object";
  return { schema, back };
}

/** Who hears of each set's updates (a combined `mcpToolSets()` set hears its members'). */
const listeners = new WeakMap<McpToolSet, Set<() => void>>();

/** Calls `listener` after `set` updated itself. */
function onChanged(set: McpToolSet, listener: () => void): void {
  listeners.get(set)?.add(listener);
}

/**
 * The tools array with the connection handle attached as non-enumerable properties.
 * `update` replaces its contents in place (the array stays the same object).
 */
function toolSet(
  initial: Contents,
  servers: readonly McpServerInfo[],
  owners: readonly { close(): Promise<void> }[],
  refresh: () => Promise<void>,
): { set: McpToolSet; update(contents: Contents): void } {
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all(owners.map((o) => o.close())).then(() => {});
    return closing;
  };
  let contents = initial;
  let version = 0;
  let tools: readonly Tool[] = Object.freeze([...initial.tools]);
  const heard = new Set<() => void>();
  const hidden = (value: unknown): PropertyDescriptor => ({ value, enumerable: false });
  const getter = (get: () => unknown): PropertyDescriptor => ({ get, enumerable: false });
  const array: Tool[] = [...initial.tools];
  Object.defineProperties(array, {
    renamed: getter(() => Object.freeze([...contents.renamed])),
    skipped: getter(() => Object.freeze([...contents.skipped])),
    pid: hidden(servers.length === 1 ? servers[0]!.pid : undefined),
    servers: hidden(Object.freeze(servers)),
    mcpNames: getter(() => contents.mcpNames),
    refresh: hidden(refresh),
    current: hidden(() => tools),
    version: getter(() => version),
    close: hidden(close),
    [Symbol.asyncDispose]: hidden(close),
  });
  const set = array as unknown as McpToolSet;
  listeners.set(set, heard);
  claimTools(set, tools);
  return {
    set,
    update(next) {
      contents = next;
      tools = Object.freeze([...next.tools]);
      version += 1;
      array.splice(0, array.length, ...next.tools);
      claimTools(set, tools);
      for (const listener of heard) listener();
    },
  };
}
