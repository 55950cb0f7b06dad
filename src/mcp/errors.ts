import { CodeModeError } from "../errors.js";

/**
 * An MCP server could not be started, reached or initialised, or did not list its tools.
 * The message names the server and, for a stdio server, ends with what it printed on stderr.
 */
export class McpConnectionError extends CodeModeError {
  override readonly code: string = "MCP_CONNECTION";
}
