import { resolve } from "node:path";
import { CodeModeAgent } from "../agent/code-mode-agent.js";
import type { AgentResult, AgentRunOptions, PendingApproval } from "../agent/types.js";
import type { ApprovalDecision } from "../execute/types.js";
import { closeDefaultSandboxPool } from "../sandbox/pool.js";
import {
  type ApprovalPolicy,
  approvalPolicy,
  askOnTerminal,
  canAsk,
  loadRun,
  policyDecision,
  type SavedRun,
  saveRun,
} from "./approvals.js";
import { cliClaimContinuation, cliContinuationSecret } from "./continuation-secret.js";
import { demoOptions } from "./demo.js";
import { type OpenApiCliOptions, openApiSources, toolsFromCli } from "./openapi-options.js";
import { attemptOptionsFromCli, cliCallLlm, modelFromCli, skillsFromCli } from "./options.js";
import { Progress } from "./progress.js";
import { startCliTracing } from "./tracing.js";

export interface RunCommandOptions extends OpenApiCliOptions {
  tools?: string;
  model?: string;
  demo?: boolean;
  skill?: string[];
  maxTurns?: string;
  maxRetries?: string;
  timeout?: string;
  json?: boolean;
  typeCheck?: boolean;
  compensate?: boolean;
  approve?: string[];
  deny?: string[];
  denyReason?: string;
  /** Where a run that waits for approval is saved. Default `codemode-run-<time>.json`. */
  save?: string;
  /** Print the run's span tree to stderr. */
  trace?: boolean;
}

/** Exit code of a run that stopped for approvals nobody could give here. */
export const EXIT_SUSPENDED = 3;

/** `codemode run "question"`: one agent run; progress on stderr, the answer on stdout. */
export async function runCommand(question: string, given: RunCommandOptions): Promise<number> {
  const options = demoOptions(given);
  // A malformed --model is a usage error found here, before any tool loads or model call.
  modelFromCli(options.model);
  const policy = approvalPolicy(options);
  const tools = options.tools ? resolve(options.tools) : null;
  const tracing = await startCliTracing({ printTree: options.trace === true });
  try {
    const openapi = openApiSources(options);
    const { agent, model, maxTurns } = await buildAgent(tools, options, openapi);
    return await driveRun(
      agent,
      policy,
      options,
      {
        question,
        tools,
        ...(openapi.length > 0 ? { openapi } : {}),
        model,
        maxTurns,
        ...(options.compensate ? { compensate: true } : {}),
      },
      (runOptions) => agent.run(question, [], runOptions),
    );
  } finally {
    await tracing.shutdown();
  }
}

export interface ResumeCommandOptions
  extends Omit<RunCommandOptions, "demo" | "tools" | "save" | "openapi"> {}

/** `codemode resume <file>`: continues a run `codemode run` saved while it waited for approval. */
export async function resumeCommand(file: string, options: ResumeCommandOptions): Promise<number> {
  const saved = loadRun(file);
  modelFromCli(options.model ?? saved.model);
  const policy = approvalPolicy(options);
  const tracing = await startCliTracing({ printTree: options.trace === true });
  try {
    return await resumeSaved(file, saved, policy, options);
  } finally {
    await tracing.shutdown();
  }
}

async function resumeSaved(
  file: string,
  saved: SavedRun,
  policy: ApprovalPolicy,
  options: ResumeCommandOptions,
): Promise<number> {
  const { agent, model, maxTurns } = await buildAgent(
    saved.tools,
    {
      ...options,
      model: options.model ?? saved.model,
      maxTurns: options.maxTurns ?? String(saved.maxTurns),
      compensate: options.compensate ?? saved.compensate === true,
    },
    saved.openapi ?? [],
  );
  const decisions = await decide(saved.pendingApprovals, policy);
  if (!decisions) {
    process.stderr.write(undecidedMessage(saved.pendingApprovals, file));
    await closeDefaultSandboxPool();
    return EXIT_SUSPENDED;
  }
  return driveRun(
    agent,
    policy,
    { ...options, save: file },
    {
      question: saved.question,
      tools: saved.tools,
      ...(saved.openapi ? { openapi: saved.openapi } : {}),
      model,
      maxTurns,
      ...(options.compensate || saved.compensate ? { compensate: true } : {}),
    },
    (runOptions) => agent.resume(saved.continuation, decisions, runOptions),
  );
}

async function buildAgent(
  tools: string | null,
  options: RunCommandOptions,
  openapi: readonly string[],
) {
  const loaded = await toolsFromCli(tools, options, openapi);
  const model = modelFromCli(options.model);
  const attempt = attemptOptionsFromCli(options);
  const agent = new CodeModeAgent({
    tools: loaded.tools,
    model,
    callLlm: cliCallLlm(),
    skills: skillsFromCli(loaded, options.skill),
    ...attempt,
    // Signed with a key kept outside the saved file, so `codemode resume` trusts only runs
    // this user saved.
    continuations: { secret: cliContinuationSecret(), claim: cliClaimContinuation },
  });
  return { agent, model, maxTurns: attempt.turns.maxTurns };
}

/**
 * Runs (or resumes) to the end: each suspension is decided by the policy flags or on the
 * terminal and resumed at once; one nobody here can decide is saved for `codemode resume`.
 */
async function driveRun(
  agent: CodeModeAgent,
  policy: ApprovalPolicy,
  options: RunCommandOptions,
  about: Pick<SavedRun, "question" | "tools" | "openapi" | "model" | "maxTurns" | "compensate">,
  start: (runOptions: AgentRunOptions) => Promise<AgentResult>,
): Promise<number> {
  const progress = new Progress();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const runOptions = { signal: controller.signal, onEvent: progress.onEvent };
  let result: AgentResult;
  try {
    result = await start(runOptions);
    while (result.status === "suspended" && result.continuation && result.pendingApprovals) {
      progress.stop();
      const decisions = await decide(result.pendingApprovals, policy);
      if (!decisions) break;
      result = await agent.resume(result.continuation, decisions, runOptions);
    }
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
    await closeDefaultSandboxPool();
  }
  if (result.status === "suspended" && result.continuation && result.pendingApprovals) {
    const file =
      options.save ?? `codemode-run-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
    saveRun(file, {
      kind: "codemode-suspended-run",
      version: 1,
      ...about,
      savedAt: new Date().toISOString(),
      pendingApprovals: result.pendingApprovals,
      continuation: result.continuation,
    });
    if (options.json) process.stdout.write(`${toJson({ ...result, savedTo: file })}\n`);
    process.stderr.write(undecidedMessage(result.pendingApprovals, file));
    return EXIT_SUSPENDED;
  }
  if (options.json) {
    process.stdout.write(`${toJson(result)}\n`);
  } else {
    process.stdout.write(formatResult(result));
  }
  if (result.error) {
    if (!options.json) {
      process.stderr.write(`error: ${result.error}\n`);
      if (result.effects?.length) process.stderr.write(effectsText(result.effects));
      for (const c of result.compensations ?? []) {
        process.stderr.write(
          `  undone: ${c.tool}(${short(JSON.stringify(c.args))}) ${c.ok ? "ok" : `failed: ${c.error?.type}: ${c.error?.message}`}\n`,
        );
      }
    }
    return 1;
  }
  return 0;
}

/** A decision for every pending call (policy first, then the terminal), or undefined. */
async function decide(
  pending: PendingApproval[],
  policy: ApprovalPolicy,
): Promise<Record<string, ApprovalDecision> | undefined> {
  const decisions: Record<string, ApprovalDecision> = {};
  for (const approval of pending) {
    const byPolicy = policyDecision(policy, approval.tool);
    if (byPolicy !== undefined) decisions[approval.id] = byPolicy;
    else if (canAsk()) decisions[approval.id] = await askOnTerminal(approval);
    else return undefined;
  }
  return decisions;
}

function undecidedMessage(pending: PendingApproval[], file: string): string {
  const calls = pending
    .map((p) => `  ${p.tool}(${JSON.stringify(p.args)})${p.line ? `  (line ${p.line})` : ""}`)
    .join("\n");
  const tools = [...new Set(pending.map((p) => p.tool))].join(" ");
  return (
    `The run is waiting for approval of:\n${calls}\n` +
    `No terminal to ask on, and no --approve/--deny policy covers it. Saved to ${file}.\n` +
    `Continue with: codemode resume ${file} --approve ${tools}   (or --deny ${tools} --deny-reason "...")\n`
  );
}

/** What a failed run already changed, so the person does not redo it by hand. */
function effectsText(effects: NonNullable<AgentResult["effects"]>): string {
  const rows = effects.map(
    (e) =>
      `  ${e.tool}(${short(JSON.stringify(e.args))}) ${e.ok ? `-> ${short(JSON.stringify(e.result))}` : `raised ${e.error?.type}`}`,
  );
  return `These calls completed before the run failed and changed things:\n${rows.join("\n")}\n`;
}

function formatResult(result: AgentResult): string {
  const parts: string[] = [];
  const looks = result.turns.filter((t) => t.kind === "look");
  for (const look of looks) {
    parts.push(
      `Turn ${look.turn} (a look):\n\`\`\`python\n${look.code}\n\`\`\`\nIt returned: ${short(JSON.stringify(toJsonSafeText(look.value)))}`,
    );
  }
  // After a plain-text answer (or a last look) the last code is already shown above.
  const lastKind = result.turns.at(-1)?.kind;
  if (result.code && lastKind !== "reply" && lastKind !== "look") {
    const which =
      result.turns.length > 1 ? `turn ${result.turns.length}` : `attempt ${result.attempts}`;
    parts.push(`Code (${which}):\n\`\`\`python\n${result.code}\n\`\`\``);
  }
  if (result.output.trim()) parts.push(`Printed:\n${result.output.trimEnd()}`);
  if (!result.error) parts.push(`Summary:\n${result.summary}`);
  if (result.charts.length > 0)
    parts.push(`Charts: ${result.charts.length} (use --json to get them)`);
  if (result.toolCalls.length > 0) {
    const rows = result.toolCalls.map(
      (c) =>
        `  #${c.seq} ${c.name}(${short(JSON.stringify(c.args))}) ${c.ok ? "ok" : `${c.error?.type}`} ${c.durationMs.toFixed(1)} ms${result.turns.length > 1 ? ` (turn ${c.turn})` : c.attempt < result.attempts ? ` (attempt ${c.attempt})` : ""}`,
    );
    const mark = (c: AgentResult["toolCalls"][number]) =>
      c.replayed ? " replayed" : c.sideEffect ? " (changed things)" : "";
    const marked = rows.map((row, i) => `${row}${mark(result.toolCalls[i]!)}`);
    parts.push(`Tool calls:\n${marked.join("\n")}`);
  }
  const { inputTokens, outputTokens } = result.usage;
  const turns = result.turns.length > 1 ? `${result.turns.length} turns, ` : "";
  parts.push(
    `${turns}${result.attempts} attempt(s), ${(result.durationMs / 1000).toFixed(1)} s, tokens in/out ${inputTokens}/${outputTokens}`,
  );
  return `${parts.join("\n\n")}\n`;
}

/** JSON that survives bigint and bytes values. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return { bytes_base64: Buffer.from(v).toString("base64") };
      return v;
    },
    2,
  );
}

function short(text: string | undefined): string {
  const t = text ?? "";
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

/** A value as JSON-safe data for printing (bigints as strings). */
function toJsonSafeText(value: unknown): unknown {
  return JSON.parse(toJson(value ?? null));
}
