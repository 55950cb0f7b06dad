import type { Command } from "commander";

/** Registers `codemode mcp`. */
export function registerMcpCommand(_program: Command): void {}
