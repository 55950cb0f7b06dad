/**
 * Every subcommand besides `run` and `resume` (defined in main.ts with the options they
 * share) registers itself here, one file per command, so adding a command never touches main.ts.
 */
import type { Command } from "commander";
import { registerChatCommand } from "./chat-command.js";
import { registerEvalCommand } from "./eval-command.js";
import { registerMcpCommand } from "./mcp-command.js";
import { registerWorkerCommand } from "./worker-command.js";

export function registerCommands(program: Command): void {
  registerMcpCommand(program);
  registerChatCommand(program);
  registerWorkerCommand(program);
  registerEvalCommand(program);
}
