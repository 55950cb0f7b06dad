/**
 * codemode: let an LLM answer by writing a short Python program that calls your
 * tools as plain functions, run in the Monty sandbox.
 */

export * from "./agent/index.js";
export * from "./ai-sdk/index.js";
export * from "./durable/index.js";
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
export * from "./mcp/index.js";
export * from "./sandbox/index.js";
export * from "./server/index.js";
export * from "./tools/index.js";
