/**
 * Tool discovery through `execute({ toolDiscovery: true })`: the program finds tools by words
 * with `search_tools`, reads one with `describe_tool`, and the type check still knows every
 * tool, listed in a prompt or not.
 */
import { defineTool, execute, normalizeTools, pythonToolListing } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { COMPACT_LISTING_NOTE, compactToolListing } from "../../src/tools/discovery/listing.js";
import { catalogTools } from "../mcp/fixtures/catalog-tools.mjs";

/** The catalogue as codemode tools; each echoes its name and arguments. */
function catalog(n: number) {
  return catalogTools(n).map((t) =>
    defineTool({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
      outputSchema: t.outputSchema,
      execute: (args) => ({ id: "x1", name: t.name, status: "open", created_at: "2024", args }),
    }),
  );
}

const inProcess = { isolation: "in-process" as const };

describe("search_tools", () => {
  const tools = catalog(500);

  it("ranks a tool whose name and description match first, with its signature", async () => {
    const result = await execute('search_tools("create an invoice", limit=3)', {
      tools,
      toolDiscovery: true,
      ...inProcess,
    });
    if (!result.ok) throw new Error(result.error.message);
    const matches = result.value as { name: string; signature: string; description: string }[];
    expect(matches).toHaveLength(3);
    expect(matches[0]).toEqual({
      name: "billing_create_invoice",
      signature:
        "billing_create_invoice(name: str, owner_email: str | None = None, tags: list[str] | None = None, amount: float | None = None) -> BillingInvoice",
      description: "Create an invoice in Billing. Returns the new invoice.",
    });
    // Calls are recorded like any other tool call.
    expect(result.toolCalls.map((c) => c.name)).toEqual(["search_tools"]);
  });

  it("matches camelCase and plural spellings, and an exact name comes first", async () => {
    const result = await execute(
      '[search_tools("list pullRequests on github")[0]["name"], search_tools("crm_get_deal", limit=1)[0]["name"]]',
      { tools, toolDiscovery: true, ...inProcess },
    );
    expect(result.ok && result.value).toEqual(["github_list_pull_requests", "crm_get_deal"]);
  });

  it("is deterministic, returns [] for words nothing has, and refuses an empty query", async () => {
    const code =
      'a = search_tools("refund payment")\nb = search_tools("refund payment")\n[a == b, search_tools("zebra")]\n';
    const same = await execute(code, { tools, toolDiscovery: true, ...inProcess });
    expect(same.ok && same.value).toEqual([true, []]);
    const empty = await execute('search_tools("the")', {
      tools,
      toolDiscovery: true,
      ...inProcess,
    });
    expect(!empty.ok && empty.error).toMatchObject({
      type: "ValueError",
      message: expect.stringContaining("needs words to look for"),
    });
  });
});

describe("describe_tool", () => {
  it("gives the tool's part of the full listing, with the set's TypedDict names", async () => {
    const tools = catalog(100);
    const result = await execute('describe_tool("crm_update_contact")', {
      tools,
      toolDiscovery: true,
      ...inProcess,
    });
    if (!result.ok) throw new Error(result.error.message);
    const text = result.value as string;
    const listing = pythonToolListing(normalizeTools(tools));
    // The function's entry is exactly the listing's, and so is each class it names.
    const entry = text.slice(0, text.indexOf("\n\nTypes used above"));
    expect(listing).toContain(entry);
    expect(entry.startsWith("- crm_update_contact(contact_id: str, name: str | None = None")).toBe(
      true,
    );
    expect(entry).toContain("-> CrmContact");
    const classes = text.slice(text.indexOf("class "));
    expect(classes.startsWith("class CrmContact(TypedDict):")).toBe(true);
    expect(listing).toContain(classes);
  });

  it("names the nested TypedDicts a result uses, and says what to do for an unknown name", async () => {
    const tools = catalog(60);
    const listed = await execute('describe_tool("billing_list_invoices")', {
      tools,
      toolDiscovery: true,
      ...inProcess,
    });
    const text = listed.ok ? String(listed.value) : "";
    expect(text).toContain("-> BillingListInvoicesResult");
    expect(text).toContain("class BillingInvoice(TypedDict):");
    expect(text).toContain("items: list[BillingInvoice]");
    expect(text.indexOf("class BillingInvoice(")).toBeLessThan(
      text.indexOf("class BillingListInvoicesResult("),
    );
    const unknown = await execute('describe_tool("billing_create_invoices")', {
      tools,
      toolDiscovery: true,
      ...inProcess,
    });
    expect(!unknown.ok && unknown.error).toMatchObject({
      type: "ValueError",
      message:
        'There is no function named "billing_create_invoices". Did you mean "billing_create_invoice"? search_tools(query) finds functions by what they do.',
    });
  });
});

describe("the type check with discovery", () => {
  const tools = catalog(500);

  it("catches a wrong argument to a tool no prompt listed, before anything runs", async () => {
    const code = 'm = search_tools("invoice")\nbilling_get_invoice(invoice_id=42)';
    const result = await execute(code, { tools, toolDiscovery: true, typeCheck: true });
    expect(!result.ok && result.error).toMatchObject({ type: "TypeCheckError", line: 2 });
    expect(result.toolCalls).toEqual([]);
  });

  it("knows the builtins' stubs: a wrong key on a match is caught, a right program runs", async () => {
    const wrong = await execute('search_tools("invoice")[0]["signatur"]', {
      tools,
      toolDiscovery: true,
      typeCheck: true,
    });
    expect(!wrong.ok && wrong.error.message).toContain('Unknown key "signatur"');
    const right = await execute(
      'name = search_tools("get invoice", limit=1)[0]["name"]\ninv = billing_get_invoice("i-1")\n[name, inv["status"], describe_tool(name)[:21]]',
      { tools, toolDiscovery: true, typeCheck: true },
    );
    expect(right.ok && right.value).toEqual([
      "billing_get_invoice",
      "open",
      "- billing_get_invoice",
    ]);
  });

  it("without toolDiscovery the builtins are not defined", async () => {
    const result = await execute('search_tools("x")', { tools: catalog(5), ...inProcess });
    expect(!result.ok && result.error.type).toBe("NameError");
  });

  it("refuses a tool named like a builtin when it is defined, saying how to fix it", () => {
    expect(() =>
      defineTool({
        name: "search_tools",
        inputSchema: z.object({ q: z.string() }),
        execute: () => [],
      }),
    ).toThrow(/Tool name "search_tools" is reserved.*Try "search_tools_"/);
  });
});

describe("the compact listing and its note (issue 20)", () => {
  const described = (description: string) =>
    defineTool({ name: "t", description, parameters: z.object({}), execute: () => null });

  it("ends a line at a sentence or a word, never after an abbreviation or in parentheses", () => {
    const lines = [
      "Get one pay run by id, e.g. pr_123, with its payslips and the totals per employee.",
      "List analytics user segments (e.g. by country or plan), with their sizes and owners.",
      "Create a refund. Needs the order id.",
      "Sum of the values, i.e. the total over every row of the table that matches the filter.",
      "A very long description without any sentence end that goes on and on past sixty characters",
    ].map((d) => compactToolListing(normalizeTools([described(d)])));
    expect(lines).toEqual([
      "- t: Get one pay run by id, e.g. pr_123, with its payslips…",
      "- t: List analytics user segments (e.g. by country or plan)…",
      "- t: Create a refund.",
      "- t: Sum of the values, i.e. the total over every row…",
      "- t: A very long description without any sentence end that goes…",
    ]);
    for (const line of lines) expect(line).not.toMatch(/(e\.g|i\.e)\.…$|\([^)]*$| (and|of|the)…$/);
  });

  it("says truly that a listed tool can be called in the program that looks it up", async () => {
    expect(COMPACT_LISTING_NOTE).toContain("Any listed function can be called in any program");
    const tools = catalog(50);
    const code =
      'found = search_tools("get invoice", limit=1)[0]["name"]\ninv = billing_get_invoice("i-1")\n[found, inv["status"]]';
    const result = await execute(code, { tools, toolDiscovery: true, typeCheck: true });
    expect(result.ok && result.value).toEqual(["billing_get_invoice", "open"]);
  });

  it("marks tools that need approval in both listings and in describe_tool", async () => {
    const refund = defineTool({
      name: "refund_order",
      description: "Refund an order in full.",
      parameters: z.object({ id: z.number().int() }),
      needsApproval: true,
      execute: () => ({ ok: true }),
    });
    const discount = defineTool({
      name: "give_discount",
      description: "Give a discount.",
      parameters: z.object({ percent: z.number() }),
      needsApproval: ({ percent }) => Number(percent) > 10,
      execute: () => ({ ok: true }),
    });
    const lookup = defineTool({
      name: "get_order",
      description: "One order.",
      parameters: z.object({ id: z.number().int() }),
      execute: () => ({ id: 1 }),
    });
    const tools = normalizeTools([refund, discount, lookup]);
    expect(compactToolListing(tools).split("\n")).toEqual([
      "- refund_order: Refund an order in full. [needs approval]",
      "- give_discount: Give a discount. [may need approval]",
      "- get_order: One order.",
    ]);
    const full = pythonToolListing(tools);
    expect(full).toContain("- refund_order(id: int) -> Any  [needs approval]\n");
    expect(full).toContain("- give_discount(percent: float) -> Any  [may need approval]\n");
    expect(full).toContain("- get_order(id: int) -> Any\n");
    const described = await execute('describe_tool("refund_order")', {
      tools,
      toolDiscovery: true,
      ...inProcess,
    });
    expect(described.ok && described.value).toMatch(
      /^- refund_order\(id: int\) -> Any {2}\[needs approval\]/,
    );
  });
});
