#!/usr/bin/env node
/**
 * How many bytes the model reads about the tools: the tool listing (signatures, docstrings,
 * TypedDicts) and the whole system prompt, for the example data tools and for a shop-like
 * tool set whose tools share a few shapes (a customer, an order, a product), as most real
 * tool sets do. Run after a build: `npm run build && node bench/prompt-size.mjs [--json]`.
 * The TypedDict count says how many classes the listing declares: one per shape. `--show`
 * prints the listings themselves.
 */
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";
import { z } from "zod";

const { CodeModeAgent, defineTool, normalizeTools, pythonToolListing } = await import("codemode");
const examples = await tsImport(
  fileURLToPath(new URL("../examples/data-tools/tools.ts", import.meta.url)),
  import.meta.url,
);

// A shop's support tools: one Zod schema per shape, reused across tools.
const Address = z.object({ street: z.string(), city: z.string(), country: z.string() });
const Customer = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string().describe("Primary email address."),
  tier: z.enum(["basic", "gold", "platinum"]),
  address: Address,
  created_at: z.string().describe("ISO date the account was opened."),
});
const OrderItem = z.object({
  sku: z.string(),
  quantity: z.number().int(),
  unit_price: z.number().describe("EUR, VAT included."),
});
const Order = z.object({
  id: z.number().int(),
  customer_id: z.number().int(),
  status: z.enum(["open", "paid", "shipped", "delivered", "refunded"]),
  items: z.array(OrderItem),
  shipping_address: Address,
  total: z.number(),
});
const Product = z.object({
  sku: z.string(),
  name: z.string(),
  price: z.number(),
  stock: z.number().int(),
});
const Ticket = z.object({
  id: z.number().int(),
  customer_id: z.number().int(),
  subject: z.string(),
  status: z.enum(["open", "pending", "closed"]),
});

const tool = (name, description, parameters, returns) =>
  defineTool({ name, description, parameters, returns, execute: () => null });
const id = z.object({ id: z.number().int() });
const shop = ({ Customer, Order, Product, Ticket }) => [
  tool(
    "list_customers",
    "Customers, newest first.",
    z.object({ limit: z.number().int().default(50) }),
    z.array(Customer),
  ),
  tool("get_customer", "One customer by id.", id, Customer),
  tool(
    "search_customers",
    "Customers whose name or email contains the text.",
    z.object({ text: z.string() }),
    z.array(Customer),
  ),
  tool(
    "update_customer_address",
    "Set a customer's address.",
    z.object({ id: z.number().int(), address: Address }),
    Customer,
  ),
  tool(
    "list_orders",
    "A customer's orders.",
    z.object({ customer_id: z.number().int() }),
    z.array(Order),
  ),
  tool("get_order", "One order by id.", id, Order),
  tool(
    "create_order",
    "Place an order.",
    z.object({ customer_id: z.number().int(), items: z.array(OrderItem) }),
    Order,
  ),
  tool("refund_order", "Refund an order in full.", id, Order),
  tool("list_products", "The catalogue.", z.object({}), z.array(Product)),
  tool("get_product", "One product by SKU.", z.object({ sku: z.string() }), Product),
  tool(
    "list_tickets",
    "A customer's support tickets.",
    z.object({ customer_id: z.number().int() }),
    z.array(Ticket),
  ),
  tool("get_ticket", "One ticket by id.", id, Ticket),
];
const shopTools = shop({ Customer, Order, Product, Ticket });
// The same tools with their shapes named (`.meta({ id })`): the listing then says
// `-> Customer` where it would say `-> ListCustomersResultItem`.
const namedShopTools = shop({
  Customer: Customer.meta({ id: "Customer" }),
  Order: Order.meta({ id: "Order" }),
  Product: Product.meta({ id: "Product" }),
  Ticket: Ticket.meta({ id: "Ticket" }),
});

/** `agent` options beyond the tools: the turn loop (`maxTurns`) and the listing. */
function measure(label, tools, agent = {}) {
  const listing = pythonToolListing(normalizeTools(tools));
  const prompt = new CodeModeAgent({ tools, model: "replay:none.jsonl", ...agent }).systemPrompt;
  return {
    tools: label,
    listingBytes: Buffer.byteLength(listing),
    promptBytes: Buffer.byteLength(prompt),
    typedDicts: (listing.match(/^class \w+\(TypedDict\)|^\w+ = TypedDict\(/gm) ?? []).length,
  };
}

const rows = [
  measure("examples/data-tools", examples.tools),
  measure("examples/data-tools, 10 turns", examples.tools, { maxTurns: 10 }),
  measure("examples/data-tools, 10 turns, compact", examples.tools, {
    maxTurns: 10,
    toolListing: "compact",
  }),
  measure("shop (12 tools)", shopTools),
  measure("shop, shapes named by .meta({ id })", namedShopTools),
];
if (process.argv.includes("--show")) {
  process.stdout.write(
    [examples.tools, shopTools, namedShopTools]
      .map((tools) => `${pythonToolListing(normalizeTools(tools))}\n`)
      .join("\n"),
  );
} else if (process.argv.includes("--json")) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  const header = ["tools", "listing bytes", "system prompt bytes", "TypedDicts"];
  const lines = rows.map((r) => [r.tools, r.listingBytes, r.promptBytes, r.typedDicts]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const format = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  process.stdout.write(`${[format(header), ...lines.map(format)].join("\n")}\n`);
}
