#!/usr/bin/env node
/**
 * What a conversation's state saves: `npm run build && node bench/conversation-state.mjs [--json]`.
 *
 * A scripted five-message customer-service conversation (customer, orders, a product),
 * answered twice by the same scripted model: once with each message's `result.state`
 * handed to the next (`agent.run(next, history, { state })`), once with the chat text
 * alone. The model behaves as the models measured on such conversations did: for each
 * message it needs some data; what the prompt lists as kept it uses as it is, and what is
 * missing it fetches with the tools and looks at (one turn) before it answers (a second).
 * Counted per message: model calls, tool calls, and bytes sent to the model (system prompt
 * plus messages, the cost the state's note adds). In-process isolation; the run is
 * deterministic, so there is one of each.
 */
const { CodeModeAgent, defineTool } = await import("codemode");

const json = process.argv.includes("--json");

const counts = { tools: 0 };
const customers = { "ada@example.com": { id: 7, name: "Ada", address: "1 Analytical Way" } };
const tool = (name, description, properties, execute) =>
  defineTool({
    name,
    description,
    inputSchema: { type: "object", properties, required: Object.keys(properties) },
    execute: (args) => {
      counts.tools += 1;
      return execute(args);
    },
  });
const tools = [
  tool("get_customer", "A customer by email.", { email: { type: "string" } }, ({ email }) => {
    return customers[email] ?? null;
  }),
  tool("get_orders", "A customer's orders.", { customer_id: { type: "integer" } }, () => [
    { id: 1, product_id: 10, total: 30, status: "delivered" },
    { id: 2, product_id: 11, total: 120, status: "shipped" },
  ]),
  tool(
    "get_product",
    "A product by id.",
    { product_id: { type: "integer" } },
    ({ product_id }) => ({
      id: product_id,
      name: product_id === 11 ? "Kettle" : "Mug",
      warranty_months: 24,
    }),
  ),
];

/** The conversation: each message and the variables its answer needs. */
const MESSAGES = [
  { text: "Hi, I'm ada@example.com. Where is my latest order?", needs: ["customer", "orders"] },
  { text: "What is in that order?", needs: ["orders", "product"] },
  { text: "Is it still under warranty?", needs: ["product"] },
  { text: "Can you ship a replacement to my address on file?", needs: ["customer"] },
  { text: "And what have I spent with you in total?", needs: ["orders"] },
];
const FETCH = {
  customer: 'customer = get_customer("ada@example.com")',
  orders: 'orders = get_orders(customer["id"])',
  product: 'product = get_product(orders[-1]["product_id"])',
};
const ANSWER = [
  "{\"summary\": f\"Order {orders[-1]['id']} is {orders[-1]['status']}.\"}",
  '{"summary": f"It holds a {product[\'name\']}."}',
  '{"summary": f"Yes: {product[\'warranty_months\']} months of warranty."}',
  '{"summary": f"Shipping to {customer[\'address\']}."}',
  '{"summary": f"{sum(o[\'total\'] for o in orders)} in all."}',
];

/** The scripted model: fetch and look at what the prompt does not list, then answer. */
function scriptedModel() {
  const usage = { calls: 0, bytes: 0 };
  let message = 0;
  const callLlm = async (_model, system, messages) => {
    usage.calls += 1;
    usage.bytes += Buffer.byteLength(system);
    for (const m of messages) usage.bytes += Buffer.byteLength(m.content);
    const last = messages.at(-1).content;
    const py = (code) => `\`\`\`python\n${code}\n\`\`\``;
    if (last.startsWith("The program ran")) return py(ANSWER[message]);
    message = MESSAGES.findIndex((m) => last.startsWith(m.text));
    const listed = (name) => last.includes(`\n- ${name}: `);
    const missing = new Set(MESSAGES[message].needs.filter((n) => !listed(n)));
    if (missing.size === 0) return py(ANSWER[message]);
    // What a fetch depends on is fetched too when it is not kept.
    if (missing.has("orders") && !listed("customer")) missing.add("customer");
    if (missing.has("product") && !listed("orders")) missing.add("orders").add("customer");
    const order = ["customer", "orders", "product"].filter((n) => missing.has(n));
    const look = order.map((n) => FETCH[n]).join("\n");
    return py(`${look}\n${order.at(-1)}`);
  };
  return { callLlm, usage };
}

async function conversation(keepState) {
  const { callLlm, usage } = scriptedModel();
  const agent = new CodeModeAgent({ tools, callLlm, maxTurns: 5, isolation: "in-process" });
  const history = [];
  const rows = [];
  let state;
  for (const { text } of MESSAGES) {
    const before = { calls: usage.calls, bytes: usage.bytes, tools: counts.tools };
    const result = await agent.run(text, history, keepState && state ? { state } : {});
    if (result.status !== "done") throw new Error(`${text}: ${result.error}`);
    state = result.state;
    history.push({ role: "user", content: text }, { role: "assistant", content: result.summary });
    rows.push({
      message: text,
      answer: result.summary,
      modelCalls: usage.calls - before.calls,
      toolCalls: counts.tools - before.tools,
      promptBytes: usage.bytes - before.bytes,
    });
  }
  const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
  return {
    rows,
    modelCalls: total("modelCalls"),
    toolCalls: total("toolCalls"),
    promptBytes: total("promptBytes"),
  };
}

const without = await conversation(false);
const withState = await conversation(true);

if (json) {
  console.log(JSON.stringify({ without, withState }, null, 2));
} else {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  console.log(
    line(["message", "model calls (without / with state)", "tool calls", "prompt bytes"]),
  );
  console.log(line(["---", "---", "---", "---"]));
  MESSAGES.forEach((m, i) => {
    const a = without.rows[i];
    const b = withState.rows[i];
    console.log(
      line([
        `${i + 1}. ${m.text}`,
        `${a.modelCalls} / ${b.modelCalls}`,
        `${a.toolCalls} / ${b.toolCalls}`,
        `${a.promptBytes} / ${b.promptBytes}`,
      ]),
    );
  });
  console.log(
    line([
      "**conversation**",
      `**${without.modelCalls} / ${withState.modelCalls}**`,
      `**${without.toolCalls} / ${withState.toolCalls}**`,
      `**${without.promptBytes} / ${withState.promptBytes}**`,
    ]),
  );
}
