/**
 * The README's agent example: ask a question, the model writes Python against the example
 * data tools, and you get the code, a Markdown summary and Chart.js charts.
 *
 *   ANTHROPIC_API_KEY=... npx tsx examples/agent.ts
 *   CODEMODE_MODEL=replay:examples/replays/revenue-by-region.jsonl npx tsx examples/agent.ts   # offline
 */
import { CodeModeAgent } from "codemode";
import { tools } from "codemode/examples/data-tools";

const agent = new CodeModeAgent({
  tools,
  model: process.env.CODEMODE_MODEL ?? "anthropic:claude-haiku-4-5",
});
const result = await agent.run("Which region had the highest revenue in 2024? Chart it.");

if (result.error) {
  console.error(result.error); // e.g. which API key to set, or why every attempt failed
  process.exitCode = 1;
} else {
  console.log(result.code); // the Python that ran
  console.log(result.summary); // Markdown written by that code
  console.log(`${result.charts.length} chart(s), ${result.toolCalls.length} tool call(s)`);
}
