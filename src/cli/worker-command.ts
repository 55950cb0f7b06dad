import type { Command } from "commander";

/** Registers `codemode worker`. */
export function registerWorkerCommand(_program: Command): void {}
