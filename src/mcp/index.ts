/**
 * MCP both ways: `mcpTools()` turns an MCP server's tools into codemode tools, and
 * `createCodeModeMcpServer()` offers codemode itself (run_python, ask) as an MCP server.
 */
export type { McpHttpServer, McpServerSpec, McpStdioServer } from "./connect.js";
export { McpConnectionError } from "./errors.js";
export {
  type CodeModeMcpHttpServer,
  type McpHttpListenOptions,
  serveCodeModeMcpHttp,
} from "./http-server.js";
export {
  type McpServerInfo,
  type McpSkippedTool,
  type McpToolSet,
  type McpToolsCommonOptions,
  type McpToolsOptions,
  mcpToolSets,
  mcpTools,
} from "./mcp-tools.js";
export type { McpRename } from "./names.js";
export {
  type AskResult,
  type CodeModeMcpServerOptions,
  createCodeModeMcpServer,
  type McpAgentSettings,
} from "./server.js";
