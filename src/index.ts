/**
 * codemode: let an LLM answer by writing a short Python program that calls your
 * tools as plain functions, run in the Monty sandbox.
 *
 * The root holds the core (sandbox, tools, execute, llm, agent). Integrations with heavy
 * dependencies are subpath exports, so `import "codemode"` does not load them:
 * `codemode/ai-sdk` (codeModeTool), `codemode/mcp` (mcpTools, codemode as an MCP server),
 * `codemode/server` (the chat app), `codemode/durable` (Restate runs; `durableTool` itself
 * is here, in the core).
 */

export * from "./agent/index.js";
export {
  CodeModeError,
  InvalidOptionsError,
  LlmError,
  MissingApiKeyError,
  ToolArgumentError,
  ToolDefinitionError,
  ToolError,
  ValueConversionError,
} from "./errors.js";
export * from "./execute/index.js";
export * from "./llm/index.js";
export * from "./sandbox/index.js";
export * from "./tools/index.js";
