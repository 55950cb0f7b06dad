/**
 * The README's first example: run a Python program against one tool.
 * Run it with `npx tsx examples/execute.ts`.
 */
import { closeDefaultSandboxPool, defineTool, execute } from "codemode";
import { z } from "zod";

const getPrice = defineTool({
  name: "get_price",
  description: "Current price of a product in EUR.",
  inputSchema: z.object({ sku: z.string() }),
  execute: async ({ sku }) => ({ sku, price: sku.length * 10 }),
});

const result = await execute(
  `
prices = parallel_map(get_price, ["apple", "kiwi", "banana"])
cheapest = min(prices, key=lambda p: p["price"])
print("checked", len(prices), "products")
{"cheapest": cheapest["sku"], "total": sum(p["price"] for p in prices)}
`,
  { tools: [getPrice] },
);

if (result.ok) console.log(result.value); // { cheapest: "kiwi", total: 150 }
console.log(result.output); // "checked 3 products\n"
console.log(result.toolCalls.length); // 3, each with args, result, timing

// The default pool keeps worker processes warm for the next run; close it to exit promptly.
await closeDefaultSandboxPool();
