/**
 * `openApiTools()` against a real pet API on loopback that serves its own document and
 * requires a bearer token: path, query, header and body parameters reach the server as
 * the document says; results come back typed; the type check stops a wrong argument
 * before any request; a POST waits for approval and is sent once approved; HTTP errors
 * arrive in Python as exceptions it can catch.
 */
import {
  type ExecutionResult,
  execute,
  pythonSignature,
  pythonToolListing,
  resumeExecution,
  type SuspendedExecution,
} from "codemode";
import { codeModeTool, type RunPythonResult } from "codemode/ai-sdk";
import { OpenApiError, type OpenApiToolSet, openApiTools } from "codemode/openapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runTypeChecked } from "../helpers/python.js";
import { type PetApi, startPetApi, TOKEN } from "./pet-api.js";

const auth = { Authorization: `Bearer ${TOKEN}` };

function suspendedOf(result: ExecutionResult): SuspendedExecution {
  if (result.ok || !result.suspended) {
    throw new Error(`expected a suspension: ${JSON.stringify(result)}`);
  }
  return result.suspended;
}

describe("openApiTools over a live pet API", () => {
  let api: PetApi;
  let tools: OpenApiToolSet;
  const warnings: string[] = [];
  beforeAll(async () => {
    api = await startPetApi();
    tools = await openApiTools(`${api.url}/openapi.json`, {
      headers: auth,
      onWarning: (message) => warnings.push(message),
    });
  });
  afterAll(() => api?.close());
  beforeEach(() => {
    api.requests.length = 0;
  });

  it("names one tool per operation and types its arguments and result from the document", () => {
    expect(tools.map((t) => t.name)).toEqual([
      "list_pets",
      "create_pet",
      "get_pet_by_id",
      "delete_pet",
      "put_pets_by_pet_id_tags",
      "read_file",
      "slow",
    ]);
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(pythonSignature(byName.get("list_pets")!)).toBe(
      "list_pets(tag: list[str] | None = None, limit: int = 20) -> list[Pet]",
    );
    const listing = pythonToolListing(tools);
    expect(listing).toContain(
      "- list_pets(tag: list[str] | None = None, limit: int = 20) -> list[Pet]",
    );
    // The body's properties are keyword arguments; the server-set `id` (readOnly) is not.
    expect(listing).toContain("- create_pet(name: str, tag: str | None = None) -> Pet");
    expect(listing).toContain(
      "- get_pet_by_id(petId: int, X_Request_Id: str | None = None) -> PetWithRequest",
    );
    // A body that is not an object is one `body` argument.
    expect(listing).toContain("- put_pets_by_pet_id_tags(petId: int, body: list[str]) -> Pet");
    expect(listing).toContain("- delete_pet(petId: int) -> None");
    expect(listing).toContain("class PetWithRequest(TypedDict):");
    expect(listing).toContain("request_id: NotRequired[str | None]");
    expect(tools.operations.get("get_pet_by_id")).toMatchObject({
      operationId: "getPetById",
      method: "GET",
      path: "/pets/{petId}",
    });
  });

  it("leaves out an operation it cannot call, with a warning naming it and its pointer", () => {
    expect(tools.skipped).toEqual([
      {
        operation: "uploadPhoto",
        pointer: "#/paths/~1photos/post",
        reason: expect.stringContaining(
          "multipart/form-data request body; codemode sends JSON bodies only",
        ),
      },
    ]);
    expect(warnings).toEqual([expect.stringContaining("left out 1 operation(s)")]);
    expect(warnings[0]).toContain("uploadPhoto");
  });

  it("sends path, query (form/explode), header and body parameters, with the configured headers", async () => {
    const result = await runTypeChecked(tools, [
      'cats = list_pets(tag=["cat", "dog"], limit=2)',
      'pet = get_pet_by_id(petId=2, X_Request_Id="req-7")',
      '[[p["name"] for p in cats], pet["name"], pet["request_id"]]',
    ]);
    expect(result).toMatchObject({ ok: true, value: [["Rex", "Tom"], "Tom", "req-7"] });
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /v1/pets?tag=cat&tag=dog&limit=2",
      "GET /v1/pets/2",
    ]);
    for (const request of api.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers.accept).toBe("application/json");
    }
    expect(api.requests[1]!.headers["x-request-id"]).toBe("req-7");
    // The defaults the document gives are sent too.
    await execute("list_pets()", { tools });
    expect(api.requests.at(-1)!.url).toBe("/v1/pets?limit=20");
  });

  it("encodes path parameters so they stay one segment", async () => {
    const result = await execute('read_file(path="a/b c?d")["raw"]', { tools });
    expect(result).toMatchObject({ ok: true, value: "a%2Fb%20c%3Fd" });
  });

  it("sends a body that is not an object as the `body` argument", async () => {
    const result = await execute('put_pets_by_pet_id_tags(petId=1, body=["good", "dog"])', {
      tools,
      onApproval: () => true,
    });
    expect(result).toMatchObject({ ok: true, value: { id: 1, tag: "good,dog" } });
    expect(api.requests[0]).toMatchObject({ method: "PUT", body: '["good","dog"]' });
    expect(api.requests[0]!.headers["content-type"]).toBe("application/json");
  });

  it("stops a wrong argument at the type check, before any request", async () => {
    const result = await execute('get_pet_by_id(petId="two")', { tools, typeCheck: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe("TypeCheckError");
    expect(result.error.line).toBe(1);
    expect(result.toolCalls).toEqual([]);
    // Without the type check, the host's validation stops it, still before any request.
    const unchecked = await execute('get_pet_by_id(petId="two")', { tools });
    expect(unchecked).toMatchObject({ ok: false, error: { type: "TypeError" } });
    expect(api.requests).toEqual([]);
  });

  it("suspends a POST for approval, then sends it once approved (and only then)", async () => {
    const program = 'pet = create_pet(name="Nemo", tag="fish")\n[pet["id"], pet["name"]]';
    const first = await execute(program, { tools, typeCheck: true });
    const suspended = suspendedOf(first);
    expect(suspended.approvals).toEqual([
      expect.objectContaining({ tool: "create_pet", args: { name: "Nemo", tag: "fish" } }),
    ]);
    expect(api.requests).toEqual([]);
    const done = await resumeExecution(
      suspended,
      { [suspended.approvals[0]!.id]: true },
      { tools },
    );
    expect(done).toMatchObject({ ok: true, value: [4, "Nemo"] });
    expect(api.requests.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ["POST", "/v1/pets", { name: "Nemo", tag: "fish" }],
    ]);
    // GETs never wait.
    expect(tools.find((t) => t.name === "list_pets")!.needsApproval).toBeUndefined();
  });

  it("raises a 404 as LookupError that the program catches, naming method, path, status and body", async () => {
    const result = await runTypeChecked(tools, [
      "try:",
      "    get_pet_by_id(petId=99)",
      '    outcome = "found"',
      "except LookupError as e:",
      '    outcome = "missing: " + str(e)',
      "outcome",
    ]);
    expect(result).toMatchObject({
      ok: true,
      value: 'missing: GET /v1/pets/99 answered 404 Not Found: {"message":"no pet 99"}',
    });
  });

  it("raises a 401 as PermissionError; the token is never in a message", async () => {
    const wrong = await openApiTools(`${api.url}/openapi.json`, {
      headers: { Authorization: "Bearer wrong-token" },
      include: ["listPets"],
      onWarning: () => {},
    });
    const result = await execute(
      'try:\n    list_pets()\n    r = "ok"\nexcept PermissionError as e:\n    r = str(e)\nr',
      { tools: wrong },
    );
    expect(result).toMatchObject({
      ok: true,
      value: 'GET /v1/pets answered 401 Unauthorized: {"message":"missing or wrong bearer token"}',
    });
    expect(JSON.stringify(result)).not.toContain("wrong-token");
  });

  it("ends a call that takes too long with a catchable TimeoutError, and aborts the request", async () => {
    const quick = await openApiTools(`${api.url}/openapi.json`, {
      headers: auth,
      include: ["slow"],
      onWarning: () => {},
      timeoutMs: 300,
    });
    const result = await execute(
      'try:\n    slow()\n    r = "answered"\nexcept TimeoutError as e:\n    r = "timed out"\nr',
      { tools: quick },
    );
    expect(result).toMatchObject({ ok: true, value: "timed out" });
  });

  it("stops the request when the run is cancelled", async () => {
    const controller = new AbortController();
    const running = execute("slow()", { tools, signal: controller.signal });
    await expect.poll(() => api.requests.length).toBe(1);
    controller.abort();
    const result = await running;
    expect(result.ok).toBe(false);
  });

  it("works as codeModeTool's tools, like any tool list", async () => {
    const run_python = codeModeTool({ tools, isolation: "in-process" });
    const result = (await run_python.execute!(
      { code: 'get_pet_by_id(petId=3)["name"]' },
      { toolCallId: "t", messages: [] },
    )) as RunPythonResult;
    expect(result).toMatchObject({ ok: true, value: "Kit" });
    expect(run_python.description).toContain("- list_pets(");
  });

  it("reads the same document as YAML", async () => {
    const fromYaml = await openApiTools(`${api.url}/openapi.yaml`, {
      headers: auth,
      onWarning: () => {},
    });
    expect(fromYaml.map((t) => t.name)).toEqual(tools.map((t) => t.name));
    expect(pythonToolListing(fromYaml)).toBe(pythonToolListing(tools));
  });

  it("refuses an include naming no operation, and an unreachable document URL", async () => {
    await expect(openApiTools(`${api.url}/openapi.json`, { include: ["getPet"] })).rejects.toThrow(
      /include.*"getPet".*matches no operation/,
    );
    const badHeader = openApiTools(`${api.url}/openapi.json`, {
      headers: { "X-Key": "s3cret\nvalue" },
    });
    await expect(badHeader).rejects.toThrow(/"X-Key" is not a valid header name, or its value/);
    await expect(badHeader).rejects.not.toThrow(/s3cret/);
    const missing = openApiTools(`${api.url}/nope.json`);
    await expect(missing).rejects.toBeInstanceOf(OpenApiError);
    await expect(missing).rejects.toMatchObject({ problem: "unreachable" });
  });
});
