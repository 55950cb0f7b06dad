import { CodeModeAgent } from "../agent/code-mode-agent.js";
import type { AgentResult } from "../agent/types.js";
import { closeDefaultSandboxPool } from "../sandbox/pool.js";
import { demoOptions } from "./demo.js";
import { loadToolsModule } from "./load-tools.js";
import { attemptOptionsFromCli, cliCallLlm, modelFromCli, skillsFromCli } from "./options.js";
import { Progress } from "./progress.js";

export interface RunCommandOptions {
  tools?: string;
  model?: string;
  demo?: boolean;
  skill?: string[];
  maxTurns?: string;
  maxRetries?: string;
  timeout?: string;
  json?: boolean;
  typeCheck?: boolean;
}

/** `codemode run "question"`: one agent run; progress on stderr, the answer on stdout. */
export async function runCommand(question: string, given: RunCommandOptions): Promise<number> {
  const options = demoOptions(given);
  const loaded = options.tools ? await loadToolsModule(options.tools) : { tools: [] };
  const progress = new Progress();
  const agent = new CodeModeAgent({
    tools: loaded.tools,
    model: modelFromCli(options.model),
    callLlm: cliCallLlm(),
    skills: skillsFromCli(loaded, options.skill),
    ...attemptOptionsFromCli(options),
  });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  let result: AgentResult;
  try {
    result = await agent.run(question, [], {
      signal: controller.signal,
      onEvent: progress.onEvent,
    });
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
    await closeDefaultSandboxPool();
  }
  if (options.json) {
    process.stdout.write(`${toJson(result)}\n`);
  } else {
    process.stdout.write(formatResult(result));
  }
  if (result.error) {
    if (!options.json) process.stderr.write(`error: ${result.error}\n`);
    return 1;
  }
  return 0;
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
    parts.push(`Tool calls:\n${rows.join("\n")}`);
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
