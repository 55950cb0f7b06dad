/**
 * `codemode mcp --tools ./tools.ts`: codemode as an MCP server, on stdio (default) or on
 * Streamable HTTP with `--http PORT`. In stdio mode stdout carries the protocol, so
 * everything else (including a tools module's console.log) goes to stderr.
 */
import type { Command } from "commander";
import { DEFAULT_MODEL } from "../agent/code-mode-agent.js";
import { InvalidOptionsError } from "../errors.js";
import type { CodeModeMcpServerOptions } from "../mcp/server.js";
import { closeDefaultSandboxPool } from "../sandbox/pool.js";
import { demoOptions } from "./demo.js";
import { addOpenApiOptions, type OpenApiCliOptions, toolsFromCli } from "./openapi-options.js";
import {
  attemptOptionsFromCli,
  COMPENSATE_HELP,
  cliCallLlm,
  collect,
  MAX_TURNS_HELP,
  modelFromCli,
  modelNotReadyWarning,
  skillsFromCli,
} from "./options.js";
import { startCliTracing } from "./tracing.js";

export interface McpCommandOptions extends OpenApiCliOptions {
  demo?: boolean;
  tools?: string;
  http?: string;
  host?: string;
  model?: string;
  skill?: string[];
  maxTurns?: string;
  maxRetries?: string;
  timeout?: string;
  typeCheck?: boolean;
  compensate?: boolean;
  ask?: boolean;
}

/** Registers `codemode mcp`. */
export function registerMcpCommand(program: Command): void {
  const command = program
    .command("mcp")
    .description(
      "Serve your tools over MCP as run_python(code) and ask(question) (stdio, or --http PORT)",
    )
    .option("-t, --tools <file>", "module exporting the tools (.ts works without a build step)")
    .option(
      "--demo",
      "offline demo: the example data tools shipped with codemode, and recorded answers for ask (add --model to ask a real model)",
    )
    .option(
      "--http <port>",
      "serve Streamable HTTP on this port instead of stdio (0 = any free port)",
    )
    .option("--host <host>", "interface for --http (default 127.0.0.1)")
    .option(
      "-m, --model <provider:model>",
      `model for ask, e.g. anthropic:claude-haiku-4-5, openai:gpt-4.1-mini, replay:file.jsonl (default: $CODEMODE_MODEL or ${DEFAULT_MODEL})`,
    )
    .option("-s, --skill <file>", "extra context file for ask's prompt (repeatable)", collect, [])
    .option("--max-turns <n>", MAX_TURNS_HELP)
    .option("--max-retries <n>", "additional attempts after a failure in ask (default 2)")
    .option("--timeout <ms>", "sandbox time limit per program in milliseconds (default 30000)")
    .option("--no-type-check", "run programs without type-checking them first")
    .option("--compensate", `ask: ${COMPENSATE_HELP}`)
    .option("--no-ask", "offer only run_python (no model needed)");
  addOpenApiOptions(command).action(async (options: McpCommandOptions) => {
    process.exitCode = await mcpCommand(options);
  });
}

/** Runs the server until stdin closes (stdio) or SIGINT/SIGTERM (HTTP). */
export async function mcpCommand(given: McpCommandOptions): Promise<number> {
  const options = demoOptions(given);
  const stdio = options.http === undefined;
  const model = options.ask !== false ? modelFromCli(options.model) : undefined;
  // Before the tools module loads: its logging must not corrupt the protocol on stdout.
  if (stdio) routeConsoleToStderr();
  if (model) {
    // Said at start, not at the first ask (which an MCP client may make much later).
    const warning = modelNotReadyWarning(
      model,
      "ask",
      "Set it and restart, or pass --no-ask to offer only run_python.",
    );
    if (warning) process.stderr.write(`codemode mcp: ${warning}`);
  }
  const loaded = await toolsFromCli(options.tools, options);
  const limits =
    options.timeout !== undefined
      ? { timeoutMs: positive(options.timeout, "--timeout") }
      : undefined;
  const serverOptions: CodeModeMcpServerOptions = {
    tools: loaded.tools,
    ...(limits ? { limits } : {}),
    ...(options.typeCheck === false ? { typeCheck: false } : {}),
  };
  if (model) {
    serverOptions.agent = {
      model,
      callLlm: cliCallLlm(),
      skills: skillsFromCli(loaded, options.skill),
      ...attemptOptionsFromCli({
        ...(options.maxTurns !== undefined ? { maxTurns: options.maxTurns } : {}),
        ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
        ...(options.typeCheck === false ? { typeCheck: false } : {}),
        ...(options.compensate ? { compensate: true } : {}),
      }),
    };
  }
  // Spans go to $OTEL_EXPORTER_OTLP_ENDPOINT when it is set (docs/observability.md).
  const tracing = await startCliTracing();
  const cleanup = async () => {
    await closeTools(loaded.tools);
    await closeDefaultSandboxPool();
    await tracing.shutdown();
  };

  if (stdio) {
    const { createCodeModeMcpServer } = await import("../mcp/server.js");
    const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
    const server = createCodeModeMcpServer(serverOptions);
    const closed = new Promise<void>((resolve) => {
      server.server.onclose = () => resolve();
    });
    await server.connect(new StdioServerTransport());
    // The client closing stdin is the normal way to stop a stdio server.
    process.stdin.once("end", () => void server.close());
    await closed;
    await cleanup();
    return 0;
  }

  const port = Number(options.http);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionsError(`--http needs a port from 0 to 65535 (got ${options.http}).`);
  }
  // The MCP SDK loads only for this command (it costs ~0.3 s at start-up).
  const { serveCodeModeMcpHttp } = await import("../mcp/http-server.js");
  const http = await serveCodeModeMcpHttp(serverOptions, {
    port,
    ...(options.host ? { host: options.host } : {}),
  });
  process.stderr.write(`codemode mcp: listening on ${http.url}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await http.close();
  await cleanup();
  return 0;
}

/** console.log/info/debug write to stdout; in stdio mode that is the protocol channel. */
function routeConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}

/**
 * A tools module may export an `mcpTools()` set (or a list holding some); close them so
 * their server processes stop.
 */
async function closeTools(tools: unknown): Promise<void> {
  const close = (tools as { close?: unknown } | null)?.close;
  if (typeof close === "function") await (close as () => Promise<void>).call(tools);
  else if (Array.isArray(tools))
    for (const item of tools) if (Array.isArray(item)) await closeTools(item);
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidOptionsError(`${flag} must be a positive number (got ${value}).`);
  return n;
}
