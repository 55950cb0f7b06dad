import type { Command } from "commander";

/** Registers `codemode chat`. */
export function registerChatCommand(_program: Command): void {}
