import { describe, expect, it } from "vitest";
import { z } from "zod";
import { typeCheckProgram } from "../../src/sandbox/type-check.js";
import { defineTool } from "../../src/tools/define/define-tool.js";
import {
  pythonSignature,
  pythonSignatures,
  pythonStub,
  pythonToolListing,
  pythonTypedDicts,
} from "../../src/tools/python/signature.js";
import { pythonTypeHint } from "../../src/tools/python/type-hints.js";
import { PythonTypeScope } from "../../src/tools/python/typed-dicts.js";
import type { JsonSchema } from "../../src/tools/types.js";

const getUser = defineTool({
  name: "get_user",
  description: "One user by id.",
  parameters: z.object({ id: z.number().int() }),
  returns: z.object({
    id: z.number().int(),
    email: z.string().describe("Primary email\n  address."),
    nick: z.string().optional(),
    address: z.object({ city: z.string(), "zip-code": z.string().optional() }),
    roles: z.array(z.object({ name: z.string(), since: z.string().nullable() })),
    labels: z.record(z.string(), z.string()),
  }),
  execute: ({ id }) => ({
    id,
    email: "ada@example.com",
    address: { city: "London" },
    roles: [],
    labels: {},
  }),
});

const createOrder = defineTool({
  name: "create_order",
  parameters: z.object({
    items: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
    address: z.object({ city: z.string() }).optional(),
    note: z.record(z.string(), z.unknown()).optional(),
  }),
  returns: z.object({ order_id: z.string() }),
  execute: () => ({ order_id: "o-1" }),
});

// As an MCP server describes a tool: plain JSON Schema, output with properties.
const weather = defineTool({
  name: "get_weather",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  },
  returns: {
    type: "object",
    properties: {
      temperature: { type: "number" },
      conditions: { type: "string", enum: ["sun", "rain"] },
      forecast: {
        type: "array",
        items: { $ref: "#/$defs/Day" },
      },
    },
    required: ["temperature", "conditions"],
    $defs: {
      Day: {
        type: "object",
        properties: { day: { type: "string" }, high: { type: "number" } },
        required: ["day"],
      },
    },
  },
  execute: () => ({ temperature: 21, conditions: "sun" }),
});

const saveAny = defineTool({
  name: "save",
  parameters: z.object({
    data: z.record(z.string(), z.unknown()),
    rows: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
  execute: () => true,
});

// Declares its id as a plain number: a result Python sees as `float`.
const getOrder = defineTool({
  name: "get_order",
  parameters: z.object({ id: z.number().int() }),
  returns: z.object({ user_id: z.number(), total: z.number() }),
  execute: ({ id }) => ({ user_id: id, total: 9.5 }),
});

const check = (tools: Parameters<typeof pythonStub>[0], code: string) =>
  typeCheckProgram(code, pythonStub(tools));

describe("TypedDicts in signatures", () => {
  it("names nested objects, arrays of objects and optional keys deterministically", () => {
    expect(pythonSignature(getUser)).toBe("get_user(id: int) -> GetUserResult");
    expect(pythonSignature(createOrder)).toBe(
      "create_order(items: list[CreateOrderParamsItemsItem], address: " +
        "CreateOrderParamsAddress | None = None, note: dict[str, Any] | None = None) -> " +
        "CreateOrderResult",
    );
    expect(pythonTypedDicts([getUser])).toBe(
      [
        'GetUserResultAddress = TypedDict("GetUserResultAddress", {',
        '    "city": str,',
        '    "zip-code": NotRequired[str],',
        "})",
        "",
        "class GetUserResultRolesItem(TypedDict):",
        "    name: str",
        "    since: str | None",
        "",
        "class GetUserResult(TypedDict):",
        "    id: int",
        "    email: str  # Primary email address.",
        "    nick: NotRequired[str]",
        "    address: GetUserResultAddress",
        "    roles: list[GetUserResultRolesItem]",
        "    labels: dict[str, str]",
      ].join("\n"),
    );
    // Same tools, same text: prompts stay cacheable.
    expect(pythonToolListing([getUser, createOrder])).toBe(
      pythonToolListing([getUser, createOrder]),
    );
  });

  it("turns a JSON Schema output (as MCP servers give) into TypedDicts, $defs included", () => {
    expect(pythonSignature(weather)).toBe("get_weather(city: str) -> GetWeatherResult");
    const types = pythonTypedDicts([weather]);
    // A `$defs` entry is named after its key.
    expect(types).toContain("class Day(TypedDict):\n    day: str\n");
    expect(types).toContain('    conditions: Literal["sun", "rain"]\n');
    expect(types).toContain("    forecast: NotRequired[list[Day]]");
  });

  it("keeps free-form and open objects as dicts", () => {
    const scope = new PythonTypeScope();
    const hint = (schema: JsonSchema) => pythonTypeHint(schema, schema, { scope, name: "X" });
    expect(hint({ type: "object" })).toBe("dict[str, Any]");
    expect(hint({ type: "object", properties: {} })).toBe("dict[str, Any]");
    expect(hint({ type: "object", additionalProperties: { type: "integer" } })).toBe(
      "dict[str, int]",
    );
    const open = { type: "object", properties: { a: { type: "string" } } };
    expect(hint({ ...open, additionalProperties: true })).toBe("dict[str, Any]");
    expect(hint({ ...open, additionalProperties: {} })).toBe("dict[str, Any]");
    expect(hint({ ...open, patternProperties: { "^x": {} } })).toBe("dict[str, Any]");
    expect(scope.declarations).toHaveLength(0);
    expect(hint({ ...open, additionalProperties: false })).toBe("X");
  });

  it("never reuses a name: tool names, typing names and other classes stay distinct", () => {
    const a = defineTool({
      name: "get_user",
      returns: z.object({ x: z.string() }),
      execute: () => ({ x: "" }),
    });
    const b = defineTool({
      name: "getUser",
      returns: z.object({ y: z.string() }),
      execute: () => ({ y: "" }),
    });
    const c = defineTool({
      name: "GetUserResult3",
      parameters: z.object({ any: z.object({ q: z.string() }) }),
      execute: () => 1,
    });
    expect(pythonSignatures([a, b, c])).toEqual([
      "get_user() -> GetUserResult",
      "getUser() -> GetUserResult2",
      "GetUserResult3(any: GetUserResult3ParamsAny) -> Any",
    ]);
    const scope = new PythonTypeScope(["Thing"]);
    const schema = { type: "object", properties: { k: { type: "string" } } };
    expect(pythonTypeHint(schema, schema, { scope, name: "Thing" })).toBe("Thing2");
    const other = { type: "object", properties: { o: { type: "string" } } };
    expect(pythonTypeHint(other, other, { scope, name: "any" })).toBe("Any2");
    expect(pythonTypeHint(other, other, { scope, name: "9lives" })).toBe("Any2");
    const digits = { type: "object", properties: { d: { type: "string" } } };
    expect(pythonTypeHint(digits, digits, { scope, name: "9lives" })).toBe("T9lives");
  });

  it("names the members of a discriminated union after their tags", () => {
    const tool = defineTool({
      name: "area",
      parameters: z.object({
        shape: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("circle"), r: z.number() }),
          z.object({ kind: z.literal("square"), side: z.number() }),
        ]),
      }),
      execute: () => 1,
    });
    expect(pythonSignature(tool)).toBe(
      "area(shape: AreaParamsShapeCircle | AreaParamsShapeSquare) -> Any",
    );
  });
});

// A shop's tools, sharing one customer schema as real tool sets do.
const Address = z.object({ city: z.string(), country: z.string() });
const Customer = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string().describe("Primary email."),
  address: Address,
});
const customer = {
  id: 1,
  name: "Ada",
  email: "ada@example.com",
  address: { city: "", country: "" },
};
const listCustomers = defineTool({
  name: "list_customers",
  returns: z.array(Customer),
  execute: () => [customer],
});
const getCustomer = defineTool({
  name: "get_customer",
  parameters: z.object({ id: z.number().int() }),
  returns: Customer,
  execute: () => customer,
});
const moveCustomer = defineTool({
  name: "move_customer",
  parameters: z.object({ id: z.number().int(), address: Address }),
  returns: Customer,
  execute: () => customer,
});
const classNames = (source: string) =>
  [...source.matchAll(/^class (\w+)\(TypedDict\)/gm)].map((m) => m[1]);

describe("one TypedDict per shape", () => {
  it("declares a shape once, however many tools take or return it, named where first met", () => {
    const tools = [listCustomers, getCustomer, moveCustomer];
    expect(pythonSignatures(tools)).toEqual([
      "list_customers() -> list[ListCustomersResultItem]",
      "get_customer(id: int) -> ListCustomersResultItem",
      "move_customer(id: int, address: ListCustomersResultItemAddress) -> ListCustomersResultItem",
    ]);
    expect(classNames(pythonTypedDicts(tools))).toEqual([
      "ListCustomersResultItemAddress",
      "ListCustomersResultItem",
    ]);
    // The prompt tells the model the same: one class each.
    const listing = pythonToolListing(tools);
    expect(listing.match(/class ListCustomersResultItem\(/g)).toHaveLength(1);
    expect(listing).not.toContain("GetCustomerResult");
  });

  it("names a shape after the schema: Zod's .meta({ id }), a JSON Schema title", () => {
    const Named = Customer.meta({ id: "Customer" });
    const byId = [
      defineTool({ name: "list_customers", returns: z.array(Named), execute: () => [customer] }),
      defineTool({ name: "get_customer", returns: Named, execute: () => customer }),
    ];
    expect(pythonSignatures(byId)).toEqual([
      "list_customers() -> list[Customer]",
      "get_customer() -> Customer",
    ]);
    // Its nested objects are named from it.
    expect(classNames(pythonTypedDicts(byId))).toEqual(["CustomerAddress", "Customer"]);

    const titled = defineTool({
      name: "get_account",
      returns: {
        type: "object",
        title: "account record",
        properties: { id: { type: "integer" } },
        required: ["id"],
      },
      execute: () => ({ id: 1 }),
    });
    expect(pythonSignature(titled)).toBe("get_account() -> AccountRecord");
  });

  it("keeps shapes apart that differ in a key, a type, requiredness or a description", () => {
    const variants = [
      z.object({ id: z.number().int(), name: z.string() }),
      z.object({ id: z.number().int(), title: z.string() }),
      z.object({ id: z.number().int(), name: z.number() }),
      z.object({ id: z.number().int(), name: z.string().optional() }),
      z.object({ id: z.number().int(), name: z.string().describe("Full name.") }),
    ];
    const tools = variants.map((returns, i) =>
      defineTool({ name: `t${i}`, returns, execute: () => ({ id: 1, name: "" }) }),
    );
    expect(classNames(pythonTypedDicts(tools))).toHaveLength(variants.length);
  });

  it("shares a recursive shape only with itself", () => {
    type Node = { name: string; children: Node[] };
    const NodeSchema: z.ZodType<Node> = z.lazy(() =>
      z.object({ name: z.string(), children: z.array(NodeSchema) }),
    );
    const tools = ["tree_a", "tree_b"].map((name) =>
      defineTool({ name, returns: NodeSchema, execute: () => ({ name: "", children: [] }) }),
    );
    const types = pythonTypedDicts(tools);
    // Each tool's recursive class refers to itself, so none of them may be merged away.
    for (const name of classNames(types)) expect(types).toContain(`list[${name}]`);
    expect(typeCheckProgram('t = tree_b()\nt["children"][0]["name"]', pythonStub(tools))).toEqual(
      [],
    );
  });

  it("the type check still catches a wrong key on the right line, through the shared class", () => {
    const tools = [listCustomers, getCustomer, moveCustomer];
    const code =
      'c = get_customer(1)\nfirst = list_customers()[0]\nprint(c["emial"])\nfirst["address"]["town"]';
    const diagnostics = check(tools, code);
    expect(diagnostics.map((d) => [d.line, d.code])).toEqual([
      [3, "invalid-key"],
      [4, "invalid-key"],
    ]);
    expect(diagnostics[0]!.message).toMatch(
      /Unknown key "emial" for TypedDict `ListCustomersResultItem`/,
    );
    expect(
      check(tools, 'c = get_customer(1)\nmove_customer(c["id"], address=c["address"])'),
    ).toEqual([]);
  });
});

describe("the stub under Monty's type checker", () => {
  it("catches a wrong key on a tool's result, with its line", () => {
    const diagnostics = check([getUser], 'user = get_user(1)\nprint(user["emial"])');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 2, code: "invalid-key" });
    expect(diagnostics[0]!.message).toMatch(/Unknown key "emial" for TypedDict `GetUserResult`/);
    expect(diagnostics[0]!.message).toMatch(/did you mean "email"/);

    const nested = check([getUser], 'u = get_user(1)\ncity = u["address"]["town"]');
    expect(nested[0]).toMatchObject({ line: 2, code: "invalid-key" });
    const item = check([getUser], 'u = get_user(1)\nfirst = u["roles"][0]["nme"]');
    expect(item[0]).toMatchObject({ line: 2, code: "invalid-key" });
    const mcp = check([weather], 'w = get_weather("Oslo")\nw["temp"]');
    expect(mcp[0]).toMatchObject({ line: 2, code: "invalid-key" });
    const wrongType = check([getUser], 'u = get_user(1)\nu["id"] + "x"');
    expect(wrongType[0]).toMatchObject({ line: 2, code: "unsupported-operator" });
    // Arguments are looser than results, but a wrong kind of value is still caught.
    const wrongArgument = check([getUser], 'get_user("7")');
    expect(wrongArgument[0]).toMatchObject({ line: 1, code: "invalid-argument-type" });
  });

  it("accepts the code models write with correct keys", () => {
    const tools = [getUser, createOrder, weather, saveAny, getOrder];
    const programs = [
      'u = get_user(1)\n{"email": u["email"], "city": u["address"]["city"]}',
      'u = get_user(1)\nnick = u.get("nick") or "-"\nzip = u["address"].get("zip-code")',
      'u = get_user(1)\nnames = [r["name"] for r in u["roles"]]\nenriched = {**u, "score": 3}',
      // Dicts built in variables and loops reach TypedDict parameters.
      'items = [{"sku": s, "qty": 1} for s in ["a", "b"]]\naddr = {"city": "Oslo"}\n' +
        "create_order(items, address=addr)",
      'items = []\nitems.append({"sku": "a", "qty": 2})\ncreate_order(items=items)',
      'create_order([{"sku": "a", "qty": 1}], note={"gift": True})',
      // One tool's TypedDict result flows into another's free-form parameter.
      'u = get_user(1)\nsave(u, rows=[u, {"x": 1}])',
      'w = get_weather("Oslo")\nsave(data=w, rows=w.get("forecast"))',
      // A `number` from one result reaches an integer parameter (3.0 validates as 3).
      'o = get_order(5)\nu = get_user(o["user_id"])\nu["email"]',
      // The names work as annotations (annotations are not evaluated at run time).
      'addr: CreateOrderParamsAddress = {"city": "Oslo"}\ncreate_order([], address=addr)',
    ];
    for (const code of programs) expect([code, check(tools, code)]).toEqual([code, []]);
  });
});
