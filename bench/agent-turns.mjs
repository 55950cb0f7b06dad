#!/usr/bin/env node
/**
 * The turn loop's own cost: `npm run build && node bench/agent-turns.mjs [--json]`.
 *
 * - Agent overhead per turn, excluding the LLM and the tools: a 20-turn run (19 looks, then
 *   the answer) with a model that answers at once and instant tools, against the same 20
 *   programs run back to back through `execute()` with `keepState` (the sandbox work the
 *   agent cannot avoid), in the same process. Overhead per turn = (agent − execute) / 20:
 *   prompt messages, code extraction, observations, events, records. Target < 1 ms.
 * - What keeping variables costs a program: the same program with and without `keepState`
 *   (the rewrite and the one host pause).
 * - The size of the loop instructions in the system prompt, and of one look's message.
 *
 * In-process isolation, so process hops do not drown the numbers; medians of 15 runs.
 */
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const { CodeModeAgent, defineTool, execute } = await import("codemode");
const { tools } = await tsImport(
  fileURLToPath(new URL("../examples/data-tools/tools.ts", import.meta.url)),
  import.meta.url,
);

const TURNS = 20;
const RUNS = 15;
const json = process.argv.includes("--json");

const lookup = defineTool({
  name: "lookup",
  description: "A row by id.",
  inputSchema: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] },
  execute: ({ id }) => ({ id, name: `item ${id}`, price: id * 1.5 }),
});

/** Turn i's program: it reads what earlier turns kept and keeps one more variable. */
const program = (i) =>
  i === TURNS
    ? `{"summary": f"{len(rows)} rows, total {sum(r['price'] for r in rows)}"}`
    : i === 1
      ? "rows = [lookup(1)]\nrows"
      : `rows = rows + [lookup(${i})]\nlast_${i} = rows[-1]\nrows[-1]`;

const reply = (i) => `Turn ${i}.\n\n\`\`\`python\n${program(i)}\n\`\`\``;

async function agentRun() {
  let turn = 0;
  const agent = new CodeModeAgent({
    tools: [lookup],
    maxTurns: TURNS,
    isolation: "in-process",
    callLlm: async () => reply(++turn),
  });
  const t0 = performance.now();
  const result = await agent.run("Go.");
  const ms = performance.now() - t0;
  if (result.status !== "done" || result.turns.length !== TURNS) {
    throw new Error(`the bench run did not take ${TURNS} turns: ${result.error}`);
  }
  return { ms, result };
}

/** One tool-set object, as the agent holds one: execute() renders its stub once. */
const toolSet = [lookup];

async function executeRun() {
  const t0 = performance.now();
  let state;
  for (let i = 1; i <= TURNS; i++) {
    const result = await execute(program(i), {
      tools: toolSet,
      isolation: "in-process",
      typeCheck: true,
      keepState: true,
      ...(state ? { state } : {}),
    });
    if (!result.ok) throw new Error(result.error.message);
    state = result.state;
  }
  return performance.now() - t0;
}

async function keepStateCost(keepState) {
  const code = [
    "rows = [lookup(i) for i in range(20)]",
    "total = sum(r['price'] for r in rows)",
    "names = [r['name'] for r in rows]",
    "by_id = {r['id']: r for r in rows}",
    "len(rows)",
  ].join("\n");
  const t0 = performance.now();
  const result = await execute(code, { tools: toolSet, isolation: "in-process", keepState });
  if (!result.ok) throw new Error(result.error.message);
  return performance.now() - t0;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// Warm up V8, the checker and the pool of compiled paths.
for (let i = 0; i < 3; i++) {
  await agentRun();
  await executeRun();
}
const agentMs = [];
const executeMs = [];
let sample;
for (let i = 0; i < RUNS; i++) {
  const run = await agentRun();
  agentMs.push(run.ms);
  sample = run.result;
  executeMs.push(await executeRun());
}
const withState = [];
const without = [];
for (let i = 0; i < 50; i++) {
  withState.push(await keepStateCost(true));
  without.push(await keepStateCost(false));
}

const one = new CodeModeAgent({ tools, callLlm: async () => "" });
const loop = new CodeModeAgent({ tools, callLlm: async () => "", maxTurns: 10 });
const promptBytes = (agent) => Buffer.byteLength(agent.systemPrompt);
const lookBytes = Buffer.byteLength(sample.turns[10].observation);

const agentTurn = median(agentMs) / TURNS;
const executeTurn = median(executeMs) / TURNS;
const overhead = agentTurn - executeTurn;
const rows = [
  ["agent, per turn (scripted LLM, instant tool)", `${agentTurn.toFixed(3)} ms`],
  ["  execute() alone, per program (the baseline)", `${executeTurn.toFixed(3)} ms`],
  [
    "agent overhead per turn (target < 1 ms)",
    `${overhead.toFixed(3)} ms ${overhead < 1 ? "PASS" : "MISS"}`,
  ],
  ["a program with keepState", `${median(withState).toFixed(3)} ms`],
  [
    "  the same without it (the baseline)",
    `${median(without).toFixed(3)} ms (x${(median(withState) / median(without)).toFixed(2)})`,
  ],
  ["system prompt, maxTurns 1 (data tools)", `${promptBytes(one)} B`],
  [
    "system prompt, maxTurns 10",
    `${promptBytes(loop)} B (+${promptBytes(loop) - promptBytes(one)} B of loop instructions)`,
  ],
  ["one look's message (turn 11 of the bench run)", `${lookBytes} B`],
];
if (json) {
  process.stdout.write(
    `${JSON.stringify({
      agentPerTurnMs: agentTurn,
      executePerProgramMs: executeTurn,
      overheadPerTurnMs: overhead,
      keepStateMs: median(withState),
      withoutKeepStateMs: median(without),
      promptBytesOneTurn: promptBytes(one),
      promptBytesLoop: promptBytes(loop),
      lookMessageBytes: lookBytes,
    })}\n`,
  );
} else {
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) process.stdout.write(`${name.padEnd(width)}  ${value}\n`);
}
