/**
 * Reading documents: the public Petstore 3.0 document's shape (YAML, a relative server URL
 * resolved against where it was fetched, JSON picked among several body types, an
 * octet-stream upload left without its body), a 3.1 document with recursive and mutually
 * recursive schemas, a path item `$ref` and server variables, and the typed errors of
 * documents codemode cannot use.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execute, pythonToolListing } from "codemode";
import { OpenApiError, openApiTools } from "codemode/openapi";
import { describe, expect, it } from "vitest";
import { runTypeChecked } from "../helpers/python.js";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);
const quiet = { onWarning: () => {} };

/** A fetch that answers from a table of URLs, recording what it was asked. */
function fakeFetch(routes: Record<string, () => Response>) {
  const calls: { url: string; method: string; body: string | undefined }[] = [];
  const fetch = (async (input: URL | RequestInfo, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, method: init?.method ?? "GET", body: init?.body as string | undefined });
    const route = routes[url.split("?")[0]!];
    return route ? route() : new Response("not found", { status: 404 });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

describe("the Petstore 3.0 document", () => {
  const yaml = readFileSync(fixture("petstore-3.0.yaml"), "utf8");

  it("becomes one tool per operation, typed from its schemas", async () => {
    const tools = await openApiTools(fixture("petstore-3.0.yaml"), {
      baseUrl: "https://petstore3.example/api/v3",
    });
    expect(tools).toHaveLength(19);
    expect(tools.title).toBe("Swagger Petstore - OpenAPI 3.0");
    expect(tools.skipped).toEqual([]);
    const listing = pythonToolListing(tools);
    for (const line of [
      '- find_pets_by_status(status: Literal["available", "pending", "sold"] = "available") -> list[Pet]',
      "- get_pet_by_id(petId: int) -> Pet",
      "- delete_pet(petId: int, api_key: str | None = None) -> None",
      "- get_inventory() -> dict[str, int]",
      "- create_users_with_list_input(body: list[User] | None = None) -> User",
      "- login_user(username: str | None = None, password: str | None = None) -> str",
      // A body property named like the path parameter gets its place as a suffix.
      "- update_user(username: str, id: int | None = None, username_body: str | None = None,",
      // Only the JSON body is offered; the octet-stream upload has no body argument.
      "- upload_file(petId: int, additionalMetadata: str | None = None) -> ApiResponse",
    ]) {
      expect(listing).toContain(line);
    }
    expect(listing).toContain("- add_pet(name: str, photoUrls: list[str], id: int | None = None,");
    expect(listing).toContain("Its optional application/octet-stream request body is not offered.");
    expect(listing).toContain("class Pet(TypedDict):");
    // GET and HEAD are read-only; everything else waits for approval by default.
    const approval = Object.fromEntries(tools.map((t) => [t.name, t.needsApproval === true]));
    expect(approval).toMatchObject({ get_pet_by_id: false, add_pet: true, delete_pet: true });
    // MCP's hints from the method: a retry may repeat GET, PUT and DELETE, never POST.
    const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    expect(hints).toMatchObject({
      get_pet_by_id: { readOnlyHint: true },
      update_pet: { readOnlyHint: false, idempotentHint: true, destructiveHint: true },
      delete_pet: { readOnlyHint: false, idempotentHint: true, destructiveHint: true },
      add_pet: { readOnlyHint: false },
    });
    expect(hints.add_pet).not.toHaveProperty("idempotentHint");
  });

  it("resolves the relative server URL against the URL it was fetched from", async () => {
    const { fetch, calls } = fakeFetch({
      "https://petstore3.example/api/v3/openapi.yaml": () =>
        new Response(yaml, { headers: { "content-type": "application/yaml" } }),
      "https://petstore3.example/api/v3/pet/findByStatus": () =>
        json([{ id: 1, name: "doggie", photoUrls: [] }]),
    });
    const tools = await openApiTools("https://petstore3.example/api/v3/openapi.yaml", { fetch });
    const result = await execute('[p["name"] for p in find_pets_by_status(status="sold")]', {
      tools,
      typeCheck: true,
    });
    expect(result).toMatchObject({ ok: true, value: ["doggie"] });
    expect(calls.map((c) => c.url)).toEqual([
      "https://petstore3.example/api/v3/openapi.yaml",
      "https://petstore3.example/api/v3/pet/findByStatus?status=sold",
    ]);
  });

  it("refuses a relative server URL when there is nothing to resolve it against", async () => {
    const error = await openApiTools(fixture("petstore-3.0.yaml")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenApiError);
    expect(error).toMatchObject({ problem: "invalid", pointer: "#/servers" });
    expect((error as Error).message).toMatch(/server URL "\/api\/v3" is not absolute.*baseUrl/);
  });
});

describe("a 3.1 document with recursive schemas", () => {
  it("keeps recursive and mutually recursive schemas as named types, and skips what it cannot use", async () => {
    const warnings: string[] = [];
    const tools = await openApiTools(fixture("graph-3.1.json"), {
      onWarning: (w) => warnings.push(w),
    });
    expect(tools.map((t) => t.name)).toEqual(["get_node", "create_person", "get_tree"]);
    const listing = pythonToolListing(tools);
    expect(listing).toContain("- get_node(id: str) -> Node");
    expect(listing).toContain(
      "- create_person(name: str, employer: Company | None = None) -> Person",
    );
    expect(listing).toMatch(
      /class Node\d?\(TypedDict\):\n {4}id: str\n {4}label: NotRequired\[str \| None\]\n {4}children: NotRequired\[list\[Node\d?\]\]/,
    );
    expect(listing).toMatch(
      /class Company\d?\(TypedDict\):\n {4}name: str\n {4}employees: NotRequired\[list\[Person\d?\]\]/,
    );
    expect(tools.skipped).toEqual([
      {
        operation: "getExternal",
        pointer: "#/paths/~1external/get",
        reason: expect.stringContaining('refers to "shared.yaml#/Thing", outside this document'),
      },
      {
        operation: "getLoop",
        pointer: "#/paths/~1loop/get",
        reason: expect.stringContaining("leads back to itself"),
      },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("#/paths/~1external/get/responses/200/content");
  });

  it("calls the server URL with its variables at their defaults, and returns recursive values", async () => {
    const tree = { id: "root", label: null, children: [{ id: "a", children: [{ id: "b" }] }] };
    const { fetch, calls } = fakeFetch({
      "https://graph.example.com/v2/nodes/root": () => json(tree),
      "https://graph.example.com/v2/people": () => json({ name: "Ada" }, 201),
    });
    const tools = await openApiTools(fixture("graph-3.1.json"), {
      ...quiet,
      fetch,
      approve: "none",
    });
    const result = await runTypeChecked(tools, [
      'n = get_node(id="root")',
      'p = create_person(name="Ada", employer={"name": "Engines", "employees": []})',
      '[n["children"][0]["children"][0]["id"], p["name"]]',
    ]);
    expect(result).toMatchObject({ ok: true, value: ["b", "Ada"] });
    expect(calls[1]).toEqual({
      url: "https://graph.example.com/v2/people",
      method: "POST",
      body: '{"name":"Ada","employer":{"name":"Engines","employees":[]}}',
    });
  });
});

describe("documents codemode cannot use", () => {
  const cases: [string, unknown, RegExp, string][] = [
    ["Swagger 2.0", { swagger: "2.0", paths: {} }, /Swagger 2\.0.*Convert it first/, "unsupported"],
    ["no version", { paths: {} }, /no "openapi" version field/, "invalid"],
    [
      "OpenAPI 4",
      { openapi: "4.0.0", paths: {} },
      /reads OpenAPI 3\.0\.x and 3\.1\.x/,
      "unsupported",
    ],
    [
      "paths not an object",
      { openapi: "3.1.0", paths: [] },
      /"paths" must be an object/,
      "invalid",
    ],
  ];
  it.each(cases)("%s: a typed error saying what to do", async (_, document, message, problem) => {
    const error = await openApiTools(document as Record<string, unknown>).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenApiError);
    expect(error).toMatchObject({ code: "OPENAPI", problem });
    expect((error as Error).message).toMatch(message);
  });

  it("a missing file, broken YAML, and an unreachable URL", async () => {
    await expect(openApiTools(fixture("nope.yaml"))).rejects.toMatchObject({
      problem: "unreachable",
      message: expect.stringContaining("check the path"),
    });
    const { fetch } = fakeFetch({
      "https://api.example/broken.yaml": () => new Response("openapi: 3.1.0\npaths: {\n  bad"),
    });
    await expect(openApiTools("https://api.example/broken.yaml", { fetch })).rejects.toMatchObject({
      problem: "invalid",
      message: expect.stringContaining("neither JSON nor valid YAML"),
    });
    const refused = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof globalThis.fetch;
    await expect(
      openApiTools("https://api.example/openapi.json", { fetch: refused }),
    ).rejects.toMatchObject({
      problem: "unreachable",
      message: expect.stringContaining("fetch failed"),
    });
  });

  it("a document without servers needs a baseUrl", async () => {
    const document = {
      openapi: "3.0.0",
      info: { title: "x", version: "1" },
      paths: { "/ping": { get: { responses: { "204": { description: "pong" } } } } },
    };
    await expect(openApiTools(document)).rejects.toThrow(/lists no servers.*baseUrl/);
    const tools = await openApiTools(document, { baseUrl: "https://api.example" });
    expect(tools.map((t) => t.name)).toEqual(["get_ping"]);
  });

  it("a GET with a request body keeps the operation, without the body", async () => {
    const body = {
      content: {
        "application/json": { schema: { type: "object", properties: { q: { type: "string" } } } },
      },
    };
    const { fetch, calls } = fakeFetch({ "https://api.example/search": () => json([]) });
    const tools = await openApiTools(
      {
        openapi: "3.1.0",
        info: { title: "x", version: "1" },
        paths: {
          "/search": { get: { requestBody: body, responses: { "200": { description: "ok" } } } },
        },
      },
      { baseUrl: "https://api.example", fetch },
    );
    expect(tools[0]!.description).toContain("Its request body is not offered");
    expect(await execute("get_search()", { tools })).toMatchObject({ ok: true, value: [] });
    expect(calls.map((c) => [c.method, c.body])).toEqual([["GET", undefined]]);
  });
});
