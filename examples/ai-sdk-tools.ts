/**
 * AI SDK tools both ways, with no API key: run with `npx tsx examples/ai-sdk-tools.ts`.
 *
 * 1. An AI SDK ToolSet, mixed with a codemode tool, runs from Python through `execute`.
 * 2. `codeModeTool` gives a `generateText` loop a `run_python` tool. A scripted model
 *    (`MockLanguageModelV3`) stands in for a real one. Replace it with e.g.
 *    `openai("gpt-4.1")` from `@ai-sdk/openai`.
 *
 * `test/docs/snippets.test.ts` runs this file and checks the `// =>` lines.
 */
import { generateText, stepCountIs, tool } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { defineTool, execute, normalizeTools, pythonToolListing } from "codemode";
import { codeModeTool } from "codemode/ai-sdk";
import { z } from "zod";

// Tools as an AI SDK app already has them.
const searchProducts = tool({
  description: "Products whose name contains the query.",
  inputSchema: z.object({ query: z.string(), max_price: z.number().optional() }),
  outputSchema: z.array(
    z.object({ sku: z.string(), name: z.string(), price: z.number(), stock: z.number().int() }),
  ),
  execute: async ({ query, max_price }) =>
    [
      { sku: "k1", name: "kettle basic", price: 25, stock: 4 },
      { sku: "k2", name: "kettle pro", price: 70, stock: 0 },
      { sku: "k3", name: "kettle glass", price: 45, stock: 12 },
    ].filter((p) => p.name.includes(query) && (max_price === undefined || p.price <= max_price)),
});
const getReviews = tool({
  description: "Review scores (1-5) of a product.",
  inputSchema: z.object({ sku: z.string() }),
  outputSchema: z.object({ sku: z.string(), scores: z.array(z.number().int()) }),
  execute: async ({ sku }) => ({ sku, scores: sku === "k1" ? [3, 4] : [5, 4, 5] }),
});
// And a codemode tool beside them.
const formatEur = defineTool({
  name: "format_eur",
  inputSchema: z.object({ amount: z.number() }),
  outputSchema: z.string(),
  execute: ({ amount }) => `€${amount.toFixed(2)}`,
});
const tools = { search_products: searchProducts, get_reviews: getReviews, format_eur: formatEur };

// What a model is told about them: Python signatures and TypedDicts.
console.log(pythonToolListing(normalizeTools(tools)));
// => - search_products(query: str, max_price: float | None = None) -> list[SearchProductsResultItem]
// => class SearchProductsResultItem(TypedDict):

// 1. Python calling the AI SDK tools.
const program = `
in_stock = [p for p in search_products("kettle") if p["stock"] > 0]
reviews = parallel_map(get_reviews, [p["sku"] for p in in_stock])
avg = {r["sku"]: sum(r["scores"]) / len(r["scores"]) for r in reviews}
best = max(in_stock, key=lambda p: avg[p["sku"]])
{"best": best["name"], "price": format_eur(best["price"]), "score": round(avg[best["sku"]], 2)}
`;
const direct = await execute(program, { tools });
console.log(JSON.stringify(direct.ok ? direct.value : direct.error));
// => {"best":"kettle glass","price":"€45.00","score":4.67}

// 2. The same work as one `run_python` call inside a generateText loop.
const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};
const model = new MockLanguageModelV3({
  doGenerate: async ({ prompt }) => {
    const toolMessage = prompt.find((m) => m.role === "tool");
    if (!toolMessage) {
      return {
        content: [
          {
            type: "tool-call",
            toolCallId: "call-1",
            toolName: "run_python",
            input: JSON.stringify({ code: program }),
          },
        ],
        finishReason: { unified: "tool-calls", raw: undefined },
        usage,
        warnings: [],
      };
    }
    const part = toolMessage.role === "tool" ? toolMessage.content[0] : undefined;
    const output =
      part?.type === "tool-result" && part.output.type === "json" ? part.output.value : null;
    const { value } = output as { value: { best: string; price: string; score: number } };
    return {
      content: [
        { type: "text", text: `Buy the ${value.best} (${value.price}, rated ${value.score}).` },
      ],
      finishReason: { unified: "stop", raw: undefined },
      usage,
      warnings: [],
    };
  },
});

const answer = await generateText({
  model,
  tools: { run_python: codeModeTool({ tools }) },
  stopWhen: stepCountIs(4),
  prompt: "Which kettle in stock has the best reviews?",
});
console.log(answer.text); // => Buy the kettle glass (€45.00, rated 4.67).
console.log(`steps: ${answer.steps.length}`); // => steps: 2
