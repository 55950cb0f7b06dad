/**
 * Tools that run on other machines. `createToolService(tools)` exposes tools as a Restate
 * service (one handler per tool) on whatever machine has what they need; `remoteTool(tool,
 * { service })` is the same tool for the agent's side: inside a durable run each call
 * becomes a Restate call to that service with the idempotency key `runId:program:seq`
 * (`program` counts the programs the run executed, over its turns and retries), so a call
 * is executed once even if either side crashes and retries.
 */
import "./polyfill.js";
import type { Context, ServiceDefinition } from "@restatedev/restate-sdk";
import { InvalidOptionsError, ToolDefinitionError, ToolError } from "../errors.js";
import { isTool } from "../tools/define/define-tool.js";
import { checkDurableOptions } from "../tools/define/durable.js";
import { normalizeTools, type ToolSetInput } from "../tools/define/tool-set.js";
import type { DurableToolOptions, Tool, ToolContext } from "../tools/types.js";
import { trimSlash } from "./admin.js";
import { decodeJournalValue, encodeJournalValue, journalSerde } from "./journal-codec.js";
import { withRemoteTarget } from "./remote-spec.js";
import {
  DEFAULT_TOOL_TIMEOUT_MS,
  durableTimeoutMs,
  runToolStep,
  type StepOutcome,
} from "./tool-step.js";

export const DEFAULT_TOOL_SERVICE = "codemode-tools";

export interface ToolServiceOptions {
  /** The service name. Default `"codemode-tools"`. */
  name?: string;
}

type ToolHandler = (ctx: Context, input: Record<string, unknown>) => Promise<StepOutcome>;

/** A Restate service with one handler per tool; serve it with `serveDurable({ services })`. */
export async function createToolService(
  tools: ToolSetInput,
  options: ToolServiceOptions = {},
): Promise<ServiceDefinition<string, Record<string, ToolHandler>>> {
  const list = normalizeTools(tools);
  const restate = await import("@restatedev/restate-sdk");
  const handlers: Record<string, ToolHandler> = {};
  for (const tool of list) {
    const policy = {
      retries: tool.durable?.retries ?? 0,
      timeoutMs: durableTimeoutMs(tool) ?? DEFAULT_TOOL_TIMEOUT_MS,
    };
    handlers[tool.name] = restate.handlers.handler(
      { input: journalSerde<Record<string, unknown>>(), output: journalSerde<StepOutcome>() },
      async (ctx: Context, input: Record<string, unknown>): Promise<StepOutcome> => {
        // The caller validated already, but this is another trust boundary.
        const validation = await tool.validate(input ?? {});
        if (!validation.ok) {
          return { ok: false, type: "TypeError", message: `${tool.name}(): ${validation.message}` };
        }
        // Journaled here too: a crash after the tool ran does not run it again.
        return ctx.run("execute", () => runToolStep(tool, validation.value, 0, policy), {
          serde: journalSerde<StepOutcome>(),
        });
      },
    ) as ToolHandler;
  }
  return restate.service({ name: options.name ?? DEFAULT_TOOL_SERVICE, handlers });
}

export interface RemoteToolOptions extends DurableToolOptions {
  /** The service that runs the tool. Default `"codemode-tools"`. */
  service?: string;
  /** Its handler. Default: the tool's name. */
  handler?: string;
  /**
   * Restate ingress for calls outside durable runs (a plain `CodeModeAgent` or `execute`).
   * Without it such calls raise a RuntimeError saying so.
   */
  ingressUrl?: string;
}

/**
 * The same tool (name, schema, description) but executed by a tool service. The tool's
 * own `execute` is not called here; the machine serving `createToolService` runs it.
 */
export function remoteTool(tool: Tool, options: RemoteToolOptions = {}): Tool {
  if (!isTool(tool)) {
    throw new ToolDefinitionError(
      "remoteTool(tool, { service }) needs a tool made with defineTool (or another Tool).",
    );
  }
  const { service = DEFAULT_TOOL_SERVICE, handler = tool.name, ingressUrl, ...durable } = options;
  if (ingressUrl !== undefined && !/^https?:\/\//.test(ingressUrl)) {
    throw new InvalidOptionsError(
      `remoteTool ingressUrl must be an http(s) URL (got ${ingressUrl}).`,
    );
  }
  checkDurableOptions(`remoteTool(${tool.name})`, durable);
  const marker = withRemoteTarget({ ...tool.durable, ...durable }, { service, handler });
  // A copy of the tool (schemas, validation, timeout) whose execute calls the service.
  const remote: Tool = {
    ...tool,
    durable: marker,
    execute: async (input: Record<string, unknown>, context: ToolContext) => {
      if (!ingressUrl) {
        throw new ToolError(
          `${tool.name}() runs on the Restate service "${service}": call it inside a durable run (codemode worker), or give remoteTool an ingressUrl.`,
        );
      }
      const response = await fetch(
        `${trimSlash(ingressUrl)}/${encodeURIComponent(service)}/${encodeURIComponent(handler)}`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(encodeJournalValue(input)),
          signal: context.signal,
        },
      );
      const text = await response.text();
      if (!response.ok) {
        throw new ToolError(
          `${tool.name}(): the tool service answered HTTP ${response.status}: ${text.slice(0, 300)}`,
        );
      }
      const outcome = decodeJournalValue(JSON.parse(text)) as StepOutcome;
      if (!outcome.ok) throw new ToolError(outcome.message, { pythonType: outcome.type });
      return outcome.value;
    },
  };
  return Object.freeze(remote);
}
