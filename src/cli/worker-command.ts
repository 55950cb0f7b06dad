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
import { cliContinuationSecret } from "./continuation-secret.js";
import { demoOptions } from "./demo.js";
import { addOpenApiOptions, type OpenApiCliOptions, toolsFromCli } from "./openapi-options.js";
import {
  attemptOptionsFromCli,
  COMPENSATE_HELP,
  collect,
  MAX_TURNS_HELP,
  modelFromCli,
  modelNotReadyWarning,
  skillsFromCli,
  untilStopSignal,
  wholeNumber,
} from "./options.js";
import { startCliTracing } from "./tracing.js";

export interface WorkerCommandOptions extends OpenApiCliOptions {
  demo?: boolean;
  tools?: string;
  model?: string;
  skill?: string[];
  port?: string;
  host?: string;
  identityKey?: string[];
  register?: string;
  advertisedUrl?: string;
  name?: string;
  toolService?: string | boolean;
  toolsOnly?: boolean;
  maxTurns?: string;
  maxRetries?: string;
  timeout?: string;
  typeCheck?: boolean;
  compensate?: boolean;
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
      "--demo",
      "offline demo: the example data tools shipped with codemode and recorded answers (add --model to ask a real model)",
    )
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
    .option(
      "--host <host>",
      "interface to listen on (default 127.0.0.1; 0.0.0.0 in a container or for a Restate on another machine, with --identity-key)",
    )
    .option(
      "--identity-key <publickeyv1_...>",
      "serve only requests signed by this Restate request identity key (repeatable; also $RESTATE_IDENTITY_KEYS, comma-separated)",
      collect,
      [],
    )
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
    .option("--compensate", COMPENSATE_HELP)
    .option("--verbose", "log the Restate SDK's messages (replays, retries)");
  addOpenApiOptions(command).action(async (options: WorkerCommandOptions) => {
    await workerCommand(options);
  });
}

export async function workerCommand(given: WorkerCommandOptions): Promise<void> {
  const options = demoOptions(given);
  if (!options.tools && (options.openapi ?? []).length === 0) {
    throw new InvalidOptionsError(
      "codemode worker needs tools: --tools <file>, --openapi <file|url>, or both (or --demo for the example tools shipped with codemode).",
    );
  }
  const model = modelFromCli(options.model);
  const port = wholeNumber(options.port ?? "9080", "--port");
  const identityKeys = [
    ...(options.identityKey ?? []),
    ...(process.env.RESTATE_IDENTITY_KEYS ?? "")
      .split(",")
      .map((key) => key.trim())
      .filter(Boolean),
  ];
  // Spans go to $OTEL_EXPORTER_OTLP_ENDPOINT when it is set (docs/observability.md).
  const tracing = await startCliTracing();
  const loaded = await toolsFromCli(options.tools, options);
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
    ...(identityKeys.length > 0 ? { identityKeys } : {}),
    tools: loaded.tools,
    model,
    name: options.name ?? DEFAULT_DURABLE_SERVICE,
    skills: skillsFromCli(loaded, options.skill),
    ...attemptOptionsFromCli(options),
    // Seals each chat's state between runs: the same key on every worker of this machine
    // (set CODEMODE_CONTINUATION_SECRET on all workers of a cluster).
    continuations: { secret: cliContinuationSecret() },
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
  const everywhere = worker.address === "0.0.0.0" || worker.address === "::";
  // Where it really listens (the bound address), which is not always where Restate
  // reaches it (worker.url, e.g. loopback for a worker bound to every interface).
  const where = `http://${worker.address.includes(":") ? `[${worker.address}]` : worker.address}:${worker.port}`;
  process.stderr.write(
    `codemode worker listening on ${where}${everywhere ? " (every interface)" : ""}: ${served.join(", ")}\n`,
  );
  if (!isLoopback(worker.address) && identityKeys.length === 0) {
    process.stderr.write(
      "warning: reachable from other machines and no --identity-key is set, so anyone who reaches this port can start runs and call the tools. Pass Restate's request identity public key (--identity-key publickeyv1_…), or firewall the port.\n",
    );
  }
  // Runs would fail at their first LLM call (and that failure is journaled).
  const warning = options.toolsOnly
    ? undefined
    : modelNotReadyWarning(model, "runs on this worker", "Set it and restart the worker.");
  if (warning) process.stderr.write(warning);
  if (worker.deployment) {
    process.stderr.write(
      `registered with ${options.register} as deployment ${worker.deployment.id}\n`,
    );
  } else {
    process.stderr.write(
      `register it: curl -X POST <restate admin, e.g. http://localhost:9070>/deployments -H 'content-type: application/json' -d '{"uri": "${worker.url}"}'${everywhere && !options.advertisedUrl ? " (from another machine, use this machine's address, or --advertised-url)" : ""}\n`,
    );
  }
  await untilStopSignal();
  await worker.close();
  await tracing.shutdown();
  await closeDefaultSandboxPool();
}

/** 127.0.0.0/8 and ::1: only this machine can connect. */
function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address === "::ffff:127.0.0.1";
}
