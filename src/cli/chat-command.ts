import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { CodeModeAgent, DEFAULT_MODEL } from "../agent/code-mode-agent.js";
import type { CodeModeAgentOptions } from "../agent/types.js";
import { DurableChatAgent } from "../durable/chat-agent.js";
import { closeDefaultSandboxPool } from "../sandbox/pool.js";
import { checkModelSetup } from "../server/model-setup.js";
import type { ChatAgent } from "../server/types.js";
import { cliContinuationSecret } from "./continuation-secret.js";
import { demoOptions } from "./demo.js";
import { addOpenApiOptions, type OpenApiCliOptions, toolsFromCli } from "./openapi-options.js";
import {
  attemptOptionsFromCli,
  COMPENSATE_HELP,
  cliCallLlm,
  collect,
  MAX_TURNS_HELP,
  modelFromCli,
  skillsFromCli,
  untilStopSignal,
  wholeNumber,
} from "./options.js";
import { startCliTracing } from "./tracing.js";

export interface ChatCommandOptions extends OpenApiCliOptions {
  tools?: string;
  model?: string;
  demo?: boolean;
  skill?: string[];
  port?: string;
  host?: string;
  title?: string;
  maxTurns?: string;
  maxRetries?: string;
  timeout?: string;
  typeCheck?: boolean;
  compensate?: boolean;
  maxConcurrent?: string;
  durable?: string | boolean;
  restateAdmin?: string;
  stateDir?: string;
}

/**
 * Where `codemode chat` keeps what must outlive it (runs waiting for approval, under
 * `approvals/`; each chat's variables, under `chats/`): `$XDG_STATE_HOME/codemode/chat`, else `~/.local/state/codemode/chat`.
 */
export function defaultChatStateDir(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(base, "codemode", "chat");
}

/** Registers `codemode chat`. */
export function registerChatCommand(program: Command): void {
  const command = program
    .command("chat")
    .description("Open the chat web app: ask questions, see the code, the tool calls and charts")
    .option("-t, --tools <file>", "module exporting the tools (and optionally nudges, skills)")
    .option(
      "-m, --model <provider:model>",
      `model to use, e.g. anthropic:claude-haiku-4-5, openai:gpt-4.1-mini, ollama:llama3.1, replay:file.jsonl (default: $CODEMODE_MODEL or ${DEFAULT_MODEL})`,
    )
    .option(
      "--demo",
      "offline demo: the example data tools shipped with codemode and recorded answers (add --model to ask a real model)",
    )
    .option("-s, --skill <file>", "extra context file for the prompt (repeatable)", collect, [])
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", "8080")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--title <text>", "page title")
    .option("--max-turns <n>", MAX_TURNS_HELP)
    .option("--max-retries <n>", "additional attempts after a failure (default 2)")
    .option("--timeout <ms>", "sandbox time limit per attempt in milliseconds (default 30000)")
    .option("--max-concurrent <n>", "chats answered at once; more wait in a queue (default 8)")
    .option("--no-type-check", "run the code without type-checking it first")
    .option("--compensate", COMPENSATE_HELP)
    .option(
      "--durable [ingressUrl]",
      "run each chat as a durable run on codemode workers through Restate (default ingress http://localhost:8080)",
    )
    .option(
      "--state-dir <dir>",
      "where runs waiting for approval and each chat's variables are kept, so they survive a restart (default $XDG_STATE_HOME/codemode/chat, else ~/.local/state/codemode/chat)",
    )
    .option(
      "--restate-admin <url>",
      "with --durable: Restate's admin API, so a cancelled chat cancels its durable run",
    );
  addOpenApiOptions(command).action(async (options: ChatCommandOptions) => {
    await chatCommand(options);
  });
}

/** Starts the server and keeps it running until SIGINT/SIGTERM. */
export async function chatCommand(given: ChatCommandOptions): Promise<void> {
  const options = demoOptions(given);
  // Spans go to $OTEL_EXPORTER_OTLP_ENDPOINT when it is set (docs/observability.md).
  const tracing = await startCliTracing();
  const loaded = await toolsFromCli(options.tools, options);
  const model = modelFromCli(options.model);
  const agentOptions: CodeModeAgentOptions = {
    tools: loaded.tools,
    model,
    skills: skillsFromCli(loaded, options.skill),
    ...attemptOptionsFromCli(options),
    // The same key in every run of this command (and of `codemode run`), so a run that
    // waits for approval can be resumed after a restart.
    continuations: { secret: cliContinuationSecret() },
  };
  const makeAgent = () => new CodeModeAgent({ ...agentOptions, callLlm: cliCallLlm() });
  const base = makeAgent();
  // A replay file is one recorded conversation: start it afresh for every chat message,
  // so the offline demo answers every question instead of only the first.
  const durable = options.durable === true ? "http://localhost:8080" : options.durable || undefined;
  const agent: ChatAgent = durable
    ? new DurableChatAgent({
        ingressUrl: durable,
        tools: loaded.tools,
        model,
        ...(options.restateAdmin ? { adminUrl: options.restateAdmin } : {}),
      })
    : model.trim().toLowerCase().startsWith("replay:")
      ? {
          model,
          run: (message, history, runOptions) => makeAgent().run(message, history, runOptions),
          resume: (continuation, decisions, runOptions) =>
            makeAgent().resume(continuation, decisions, runOptions),
          toolDescriptions: () => base.toolDescriptions(),
          usesDurableTools: () => base.usesDurableTools(),
        }
      : base;
  // Durable runs call the model on the workers, which hold the keys.
  const setup = durable
    ? { model, ready: true, notice: `Runs go through Restate at ${durable}.` }
    : checkModelSetup(model);
  // Loaded here, not at the top: every other command would pay for Hono at start-up.
  const { startChatServer } = await import("../server/start.js");
  const { directoryContinuationStore } = await import("../server/continuation-store.js");
  const { directoryChatStateStore } = await import("../server/chat-state-store.js");
  const stateDir = resolve(options.stateDir ?? defaultChatStateDir());
  const server = await startChatServer({
    agent,
    store: directoryContinuationStore(join(stateDir, "approvals")),
    // What each chat's programs kept, so a chat goes on after a restart.
    chatStates: directoryChatStateStore(join(stateDir, "chats")),
    modelSetup: setup,
    ...(loaded.nudges ? { nudges: loaded.nudges } : {}),
    ...(options.title ? { title: options.title } : {}),
    ...(options.maxConcurrent !== undefined
      ? { maxConcurrentRuns: wholeNumber(options.maxConcurrent, "--max-concurrent") }
      : {}),
    port: wholeNumber(options.port ?? "8080", "--port"),
    hostname: options.host ?? "127.0.0.1",
  });
  process.stderr.write(`codemode chat: ${server.url} (model ${model})\n`);
  if (!setup.ready && setup.notice) process.stderr.write(`warning: ${setup.notice}\n`);
  const host = options.host ?? "127.0.0.1";
  if (!["127.0.0.1", "localhost", "::1"].includes(host) && !process.env.CODEMODE_CHAT_TOKEN) {
    process.stderr.write(
      `warning: listening on ${host} without a token: anyone who can reach this port can run the agent. Set CODEMODE_CHAT_TOKEN to require one.\n`,
    );
  }
  await untilStopSignal();
  await server.close();
  await closeDefaultSandboxPool();
  await tracing.shutdown();
}
