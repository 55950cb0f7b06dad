#!/usr/bin/env node
/** The `codemode` command line. */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { DEFAULT_MODEL } from "../agent/code-mode-agent.js";
import { CodeModeError } from "../errors.js";
import { addOpenApiOptions } from "./openapi-options.js";
import { COMPENSATE_HELP, collect, MAX_TURNS_HELP } from "./options.js";
import { registerCommands } from "./register-commands.js";
import { resumeCommand, runCommand } from "./run-command.js";

/** This file is `dist/cli/main.js` (or `src/cli/main.ts`): the package.json is two up. */
const { version } = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
) as { version: string };

const program = new Command()
  .name("codemode")
  .description("Let an LLM answer by writing Python that calls your tools, run in a sandbox.")
  .version(version, "-V, --version", "print the version of codemode")
  .showHelpAfterError()
  // Commander's own usage errors (an unknown option, a missing argument or command) throw
  // instead of exiting with 1, so they exit with 2 like every other usage error below.
  // Set before the commands are added: each command inherits it.
  .exitOverride();

program
  .command("run")
  .description(
    "Answer one question with an agent run and print the code, the summary and the tool calls",
  )
  .argument("<question>", "what to ask")
  .option("-t, --tools <file>", "module exporting the tools (.ts works without a build step)")
  .option(
    "-m, --model <provider:model>",
    `model to use, e.g. anthropic:claude-haiku-4-5, openai:gpt-4.1-mini, ollama:llama3.1, replay:file.jsonl (default: $CODEMODE_MODEL or ${DEFAULT_MODEL})`,
  )
  .option(
    "--demo",
    "offline demo: the example data tools shipped with codemode and recorded answers (add --model to ask a real model)",
  )
  .option("-s, --skill <file>", "extra context file for the prompt (repeatable)", collect, [])
  .option("--max-turns <n>", MAX_TURNS_HELP)
  .option("--max-retries <n>", "additional attempts after a failure (default 2)")
  .option("--timeout <ms>", "sandbox time limit per attempt in milliseconds (default 30000)")
  .option("--no-type-check", "run the code without type-checking it first")
  .option("--compensate", COMPENSATE_HELP)
  .option("--json", "print the whole AgentResult as JSON")
  .option(
    "--approve <tool>",
    "approve every call to this tool that needs approval (repeatable; `all` for every tool)",
    collect,
    [],
  )
  .option(
    "--deny <tool>",
    "deny every call to this tool that needs approval (repeatable; `all`)",
    collect,
    [],
  )
  .option("--deny-reason <text>", "the reason denied calls give the program (PermissionError)")
  .option("--trace", "print the run's OpenTelemetry span tree to stderr when it ends")
  .option(
    "--save <file>",
    "where to save a run that waits for an approval nobody here can give (default codemode-run-<time>.json)",
  )
  .action(async (question: string, options) => {
    process.exitCode = await runCommand(question, options);
  });

program
  .command("resume")
  .description(
    "Continue a run `codemode run` saved while it waited for approval (exit 3): decide its calls, run the rest",
  )
  .argument("<file>", "the saved run")
  .option("-m, --model <provider:model>", "model for later turns (default: the saved run's)")
  .option("-s, --skill <file>", "extra context file for the prompt (repeatable)", collect, [])
  .option("--max-retries <n>", "additional attempts after a failure (default 2)")
  .option("--timeout <ms>", "sandbox time limit per attempt in milliseconds (default 30000)")
  .option("--compensate", `${COMPENSATE_HELP} (default: as the saved run)`)
  .option(
    "--approve <tool>",
    "approve the pending calls to this tool (repeatable; `all`)",
    collect,
    [],
  )
  .option("--deny <tool>", "deny the pending calls to this tool (repeatable; `all`)", collect, [])
  .option("--deny-reason <text>", "the reason denied calls give the program (PermissionError)")
  .option("--trace", "print the run's OpenTelemetry span tree to stderr when it ends")
  .option("--json", "print the whole AgentResult as JSON")
  .action(async (file: string, options) => {
    process.exitCode = await resumeCommand(file, options);
  });

// OpenAPI documents as tools, beside or instead of --tools (resume: the saved run's documents).
for (const command of program.commands) {
  if (command.name() === "run") addOpenApiOptions(command);
  if (command.name() === "resume") addOpenApiOptions(command, false);
}
registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander printed the message (and the help) already; --help and --version exit 0.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    const message = error instanceof CodeModeError ? error.message : String(error);
    process.stderr.write(`codemode: ${message}\n`);
    process.exitCode = 2;
  }
}
