/**
 * `codemode worker`: serves durable agent runs (and optionally the tools themselves) as a
 * Restate endpoint. Start restate-server, start this, register it (`--register`), then
 * submit runs through Restate's ingress (`codemode chat --durable`, or plain HTTP).
 */
import type { Command } from "commander";
import { DEFAULT_MODEL } from "../agent/code-mode-agent.js";
import { createToolService, DEFAULT_TOOL_SERVICE } from "../durable/remote-tools.js";
import { serveDurable } from "../durable/serve.js";
import { DEFAULT_DURABLE_SERVICE } from "../durable/service.js";
import { InvalidOptionsError } from "../errors.js";
import { closeDefaultSandboxPool } from "../sandbox/pool.js";
import { checkModelSetup } from "../server/model-setup.js";
import { cliContinuationSecret } from "./continuation-secret.js";
import { addOpenApiOptions, type OpenApiCliOptions, toolsFromCli } from "./openapi-options.js";
import {
  attemptOptionsFromCli,
  collect,
  MAX_TURNS_HELP,
  modelFromCli,
  skillsFromCli,
  untilStopSignal,
  wholeNumber,
} from "./options.js";
import { startCliTracing } from "./tracing.js";

export interface WorkerCommandOptions extends OpenApiCliOptions {
  tools?: string;
  model?: string;
  skill?: string[];
  port?: string;
  host?: string;
  register?: string;
  advertisedUrl?: string;
  name?: string;
  toolService?: string | boolean;
  toolsOnly?: boolean;
  maxTurns?: string;
  maxRetries?: string;
  timeout?: string;
  typeCheck?: boolean;
  verbose?: boolean;
}

/** Registers `codemode worker`. */
export function registerWorkerCommand(program: Command): void {
  const command = program
    .command("worker")
    .description(
      "Serve durable agent runs on Restate: every LLM call and tool call is journaled, so runs survive crashes",
    )
    .option("-t, --tools <file>", "module exporting the tools (.ts works without a build step)")
    .option(
      "-m, --model <provider:model>",
      `model the runs use (default: $CODEMODE_MODEL or ${DEFAULT_MODEL})`,
    )
    .option("-s, --skill <file>", "extra context file for the prompt (repeatable)", collect, [])
    .option(
      "-p, --port <port>",
      "port for restate-server to connect to (0 picks a free one)",
      "9080",
    )
    .option("--host <host>", "interface to listen on (default: all)")
    .option(
      "--register <adminUrl>",
      "register this worker with a Restate admin API, e.g. http://localhost:9070",
    )
    .option(
      "--advertised-url <url>",
      "URL restate-server uses to reach this worker (default http://127.0.0.1:<port>)",
    )
    .option("--name <service>", "name of the durable run service", DEFAULT_DURABLE_SERVICE)
    .option(
      "--tool-service [name]",
      `also serve the tools as a Restate service for remoteTool() (default name ${DEFAULT_TOOL_SERVICE})`,
    )
    .option("--tools-only", "serve only the tool service (a machine that runs tools for others)")
    .option("--max-turns <n>", MAX_TURNS_HELP)
    .option("--max-retries <n>", "additional attempts after a failure (default 2)")
    .option("--timeout <ms>", "sandbox time limit per attempt in milliseconds (default 30000)")
    .option("--no-type-check", "run the code without type-checking it first")
    .option("--verbose", "log the Restate SDK's messages (replays, retries)");
  addOpenApiOptions(command).action(async (options: WorkerCommandOptions) => {
    await workerCommand(options);
  });
}

export async function workerCommand(options: WorkerCommandOptions): Promise<void> {
  // Spans go to $OTEL_EXPORTER_OTLP_ENDPOINT when it is set (docs/observability.md).
  const tracing = await startCliTracing();
  if (!options.tools && (options.openapi ?? []).length === 0) {
    throw new InvalidOptionsError(
      "codemode worker needs tools: --tools <file>, --openapi <file|url>, or both.",
    );
  }
  const loaded = await toolsFromCli(options.tools, options);
  const model = modelFromCli(options.model);
  const port = wholeNumber(options.port ?? "9080", "--port");
  const toolServiceName =
    options.toolService === true || (options.toolsOnly && options.toolService === undefined)
      ? DEFAULT_TOOL_SERVICE
      : typeof options.toolService === "string"
        ? options.toolService
        : undefined;
  const services = toolServiceName
    ? [await createToolService(loaded.tools, { name: toolServiceName })]
    : [];
  const worker = await serveDurable({
    port,
    ...(options.host ? { host: options.host } : {}),
    tools: loaded.tools,
    model,
    name: options.name ?? DEFAULT_DURABLE_SERVICE,
    skills: skillsFromCli(loaded, options.skill),
    ...attemptOptionsFromCli(options),
    // Seals each chat's state between runs: the same key on every worker of this machine
    // (set CODEMODE_CONTINUATION_SECRET on all workers of a cluster).
    continuationSecret: cliContinuationSecret(),
    services,
    ...(options.toolsOnly ? { toolsOnly: true } : {}),
    ...(options.register ? { register: options.register } : {}),
    ...(options.advertisedUrl ? { advertisedUrl: options.advertisedUrl } : {}),
    ...(options.verbose ? { verbose: true } : {}),
  });
  const served = [
    ...(options.toolsOnly ? [] : [`${options.name ?? DEFAULT_DURABLE_SERVICE} (model ${model})`]),
    ...(toolServiceName ? [`${toolServiceName} (tools)`] : []),
  ];
  process.stderr.write(`codemode worker listening on ${worker.url}: ${served.join(", ")}\n`);
  const setup = options.toolsOnly ? undefined : checkModelSetup(model);
  if (setup && !setup.ready) {
    // Runs would fail at their first LLM call (and that failure is journaled).
    process.stderr.write(
      setup.missingEnvVar
        ? `warning: ${setup.missingEnvVar} is not set, so runs on this worker will fail at their first model call. Set it and restart the worker.\n`
        : `warning: ${setup.notice ?? `${model} cannot be called`}\n`,
    );
  }
  if (worker.deployment) {
    process.stderr.write(
      `registered with ${options.register} as deployment ${worker.deployment.id}\n`,
    );
  } else {
    process.stderr.write(
      `register it: curl -X POST <restate admin, e.g. http://localhost:9070>/deployments -H 'content-type: application/json' -d '{"uri": "${worker.url}"}'\n`,
    );
  }
  await untilStopSignal();
  await worker.close();
  await tracing.shutdown();
  await closeDefaultSandboxPool();
}
