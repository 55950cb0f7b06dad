/**
 * codemode as an MCP server: any MCP client (Claude Desktop, an IDE, another agent) gets
 * `run_python`, which runs a program against your tools in the sandbox, and `ask`, which
 * runs the whole CodeModeAgent on a question. The MCP surface is two tools however many
 * tools you have: their signatures travel in `run_python`'s description.
 */
import { randomUUID } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { CodeModeAgent } from "../agent/code-mode-agent.js";
import type { ConversationState } from "../agent/conversation-state.js";
import { ConversationTurns } from "../agent/conversation-turns.js";
import type { AgentResult, CodeModeAgentOptions } from "../agent/types.js";
import { InvalidOptionsError } from "../errors.js";
import {
  createRunPython,
  RUN_PYTHON_CODE_DESCRIPTION,
  type RunPython,
  type RunPythonResult,
} from "../execute/run-python.js";
import type { ApprovalDecision, Isolation, SideEffect } from "../execute/types.js";
import type { Limits } from "../sandbox/limits.js";
import type { SandboxPool } from "../sandbox/pool.js";
import { toJsonSafe } from "../sandbox/values.js";
import { programAnnotations } from "../tools/define/annotations.js";
import type { ToolSetInput } from "../tools/define/tool-set.js";
import { compactToolListing } from "../tools/discovery/listing.js";
import { pythonToolListing } from "../tools/python/signature.js";
import { elicitApproval } from "./elicit-approval.js";

/** Settings for the agent behind `ask`, when you do not build the agent yourself. */
export type McpAgentSettings = Omit<CodeModeAgentOptions, "tools">;

export interface CodeModeMcpServerOptions {
  /** The functions `run_python` programs may call. Default: the agent's tools. */
  tools?: ToolSetInput;
  /**
   * Enables `ask(question)`: a CodeModeAgent, or its settings (`model`, `callLlm`, ...)
   * to build one over `tools`. Without it the server offers only `run_python`.
   */
  agent?: CodeModeAgent | McpAgentSettings;
  /** Sandbox limits for `run_python` (and for `ask` when `agent` is settings). */
  limits?: Partial<Limits>;
  isolation?: Isolation;
  pool?: SandboxPool;
  /** Type-check `run_python` programs before running them. Default `true`. */
  typeCheck?: boolean;
  /** The server name clients see. Default `"codemode"`. */
  name?: string;
  version?: string;
}

/** `ask`'s structured result. */
export interface AskResult {
  ok: boolean;
  summary: string;
  value: unknown;
  code: string;
  attempts: number;
  /** Turns the agent took (looks included). */
  turns: number;
  error: string | null;
  charts: AgentResult["charts"];
  toolCalls: { count: number; byTool: Record<string, number> };
  output?: string;
  /**
   * On failure: the calls that completed and changed things (`AgentResult.effects`), so the
   * calling model does not repeat them.
   */
  effects?: SideEffect[];
}

/** The parts shared by every session of one server (built once; sessions are cheap). */
export interface PreparedCodeModeMcp {
  name: string;
  version: string;
  runPython: RunPython;
  agent: CodeModeAgent | undefined;
}

/**
 * An `McpServer` offering `run_python` (and `ask` when `agent` is given). Connect it to a
 * transport yourself (`await server.connect(new StdioServerTransport())`), or use
 * `serveCodeModeMcpHttp()` / `codemode mcp`.
 */
export function createCodeModeMcpServer(options: CodeModeMcpServerOptions): McpServer {
  return buildMcpServer(prepareCodeModeMcp(options));
}

/** Reads the options once; `buildMcpServer` then makes one server per session from it. */
export function prepareCodeModeMcp(options: CodeModeMcpServerOptions): PreparedCodeModeMcp {
  if (!options || typeof options !== "object") {
    throw new InvalidOptionsError(
      "createCodeModeMcpServer({ tools, agent? }) needs an options object.",
    );
  }
  const agentOption = options.agent;
  const tools =
    options.tools ?? (agentOption instanceof CodeModeAgent ? agentOption.tools : undefined);
  if (tools === undefined) {
    throw new InvalidOptionsError(
      "createCodeModeMcpServer() needs { tools } (or an agent: new CodeModeAgent({ tools, ... })).",
    );
  }
  const runPython = createRunPython({
    tools,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.isolation ? { isolation: options.isolation } : {}),
    ...(options.pool ? { pool: options.pool } : {}),
    ...(options.typeCheck === false ? { typeCheck: false } : {}),
  });
  let agent: CodeModeAgent | undefined;
  if (agentOption instanceof CodeModeAgent) agent = agentOption;
  else if (agentOption !== undefined) {
    if (typeof agentOption !== "object" || agentOption === null) {
      throw new InvalidOptionsError(
        "createCodeModeMcpServer({ agent }) must be a CodeModeAgent or its settings { model, callLlm, ... }.",
      );
    }
    // The server's sandbox settings, where the agent's own (grouped or flat) leave them unset.
    const own = agentOption as Partial<CodeModeAgentOptions>;
    const unset = (name: "limits" | "isolation" | "pool") =>
      own[name] === undefined && own.sandbox?.[name] === undefined;
    agent = new CodeModeAgent({
      ...agentOption,
      sandbox: {
        ...own.sandbox,
        ...(options.limits && unset("limits") ? { limits: options.limits } : {}),
        ...(options.isolation && unset("isolation") ? { isolation: options.isolation } : {}),
        ...(options.pool && unset("pool") ? { pool: options.pool } : {}),
      },
      tools,
    });
  }
  return {
    name: options.name ?? "codemode",
    version: options.version ?? "0.1.0",
    runPython,
    agent,
  };
}

export function buildMcpServer(prepared: PreparedCodeModeMcp): McpServer {
  const server = new McpServer({ name: prepared.name, version: prepared.version });
  const { runPython, agent } = prepared;
  // One server per MCP session: what `ask`'s programs kept is this session's, and only its.
  const conversation: AskConversation = { chatId: randomUUID(), turns: new ConversationTurns() };
  server.registerTool(
    "run_python",
    {
      title: "Run Python against the tools",
      description: runPython.description,
      inputSchema: { code: z.string().describe(RUN_PYTHON_CODE_DESCRIPTION) },
      annotations: runPython.annotations,
    },
    async ({ code }, extra): Promise<CallToolResult> => {
      const result = await runPython.run(
        code,
        extra.signal,
        elicitApproval(server.server, extra.signal),
      );
      return {
        content: [{ type: "text", text: runPythonText(result) }],
        structuredContent: result as unknown as Record<string, unknown>,
        ...(result.ok ? {} : { isError: true }),
      };
    },
  );
  if (agent) {
    server.registerTool(
      "ask",
      {
        title: "Answer a question with the tools",
        description:
          "Answer a question or do a task using these functions: a model writes Python " +
          "programs that call them and runs them in a sandbox, looking at what comes back " +
          "before it answers and fixing its errors. Returns a Markdown summary, the last " +
          "program's value and its code. Data its programs keep (with more than one turn) " +
          "stays for the next ask in this session, so a follow-up question need not fetch " +
          "it again.\n\nFunctions:\n" +
          // As the agent's prompt lists them: in full (TypedDicts at the end) or one line each.
          (agent.toolListing === "compact"
            ? compactToolListing(agent.tools)
            : pythonToolListing(agent.tools)),
        inputSchema: {
          question: z.string().describe("What to answer or do, in plain language."),
        },
        // The agent asks a model, which is outside the server's world.
        annotations: { ...programAnnotations(agent.tools), openWorldHint: true },
      },
      async ({ question }, extra): Promise<CallToolResult> => {
        const result = await askAgent(agent, question, server.server, extra.signal, conversation);
        const ask = askResult(result);
        const done = ask.effects?.map((e) => `${e.tool}(${JSON.stringify(e.args)})`) ?? [];
        const text = result.error
          ? `The agent failed after ${result.attempts} attempt(s): ${result.error}` +
            (done.length > 0
              ? `\n\nThese calls completed and changed things; do not repeat them: ${done.join(", ")}`
              : "")
          : result.summary;
        return {
          content: [{ type: "text", text }],
          structuredContent: ask as unknown as Record<string, unknown>,
          ...(result.error ? { isError: true } : {}),
        };
      },
    );
  }
  return server;
}

/** What one MCP session's `ask` calls remember of each other: the variables their programs kept. */
interface AskConversation {
  readonly chatId: string;
  state?: ConversationState;
  /** Two asks of the session at once run one after the other, each from the last's state. */
  readonly turns: ConversationTurns;
}

/**
 * Runs the agent from the session's state, once the session's running ask (if any) is over;
 * each time it stops for approvals, asks the client's user (elicitation) and resumes, so
 * `ask` answers in one MCP call. The run's state becomes the session's (a failed run hands
 * back what the session had).
 */
async function askAgent(
  agent: CodeModeAgent,
  question: string,
  server: McpServer["server"],
  signal: AbortSignal,
  conversation: AskConversation,
): Promise<AgentResult> {
  const leave = await conversation.turns.enter(conversation.chatId, signal);
  try {
    return await askInTurn(agent, question, server, signal, conversation);
  } finally {
    leave();
  }
}

async function askInTurn(
  agent: CodeModeAgent,
  question: string,
  server: McpServer["server"],
  signal: AbortSignal,
  conversation: AskConversation,
): Promise<AgentResult> {
  let result = await agent.run(question, [], {
    signal,
    chatId: conversation.chatId,
    ...(conversation.state ? { state: conversation.state } : {}),
  });
  const decide = elicitApproval(server, signal);
  while (result.status === "suspended" && result.continuation && result.pendingApprovals) {
    const decisions: Record<string, ApprovalDecision> = {};
    for (const pending of result.pendingApprovals) decisions[pending.id] = await decide(pending);
    result = await agent.resume(result.continuation, decisions, { signal });
  }
  if (result.state) conversation.state = result.state;
  return result;
}

/** The text a client without structured-content support shows: errors first, readable. */
function runPythonText(result: RunPythonResult): string {
  if (result.ok) return JSON.stringify(result);
  const { type, message, line } = result.error;
  const where = line !== undefined ? ` (line ${line})` : "";
  return `${type}${where}: ${message}\n\n${JSON.stringify(result)}`;
}

function askResult(result: AgentResult): AskResult {
  const byTool: Record<string, number> = {};
  for (const call of result.toolCalls) byTool[call.name] = (byTool[call.name] ?? 0) + 1;
  return {
    ok: result.error === null,
    summary: result.summary,
    value: toJsonSafe(result.value),
    code: result.code,
    attempts: result.attempts,
    turns: result.turns.length,
    error: result.error,
    charts: result.charts,
    toolCalls: { count: result.toolCalls.length, byTool },
    ...(result.output ? { output: result.output.slice(0, 4000) } : {}),
    ...(result.effects?.length ? { effects: toJsonSafe(result.effects) as SideEffect[] } : {}),
  };
}
