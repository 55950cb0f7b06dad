/**
 * `codemode mcp --openapi <url> --openapi-header "Authorization: Bearer …"` driven by the
 * MCP SDK's client over stdio: run_python lists the API's operations as typed functions,
 * programs call the live pet API with the header, a POST is put to the client's user by
 * elicitation and sent once approved, and the token never appears on stderr. Runs dist/:
 * build first.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLI } from "../mcp/helpers.js";
import { openApiFlags, type PetApi, startPetApi, TOKEN } from "./pet-api.js";

const structured = (result: unknown) =>
  (result as { structuredContent?: Record<string, unknown> }).structuredContent;

describe("codemode mcp --openapi", () => {
  let api: PetApi;
  let client: Client;
  let stderr = "";
  const asked: string[] = [];
  beforeAll(async () => {
    api = await startPetApi();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", ...openApiFlags(api), "--no-ask"],
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    client = new Client({ name: "test", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(String(request.params.message));
      return { action: "accept", content: { approve: true } };
    });
    await client.connect(transport);
  });
  afterAll(async () => {
    await client?.close();
    await api?.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  const run = (code: string) => client.callTool({ name: "run_python", arguments: { code } });

  it("lists the API's operations as typed functions in run_python's description", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["run_python"]);
    const description = tools[0]!.description ?? "";
    expect(description).toContain(
      "- get_pet_by_id(petId: int, X_Request_Id: str | None = None) -> PetWithRequest",
    );
    expect(description).toContain("- create_pet(name: str, tag: str | None = None) -> Pet");
    // The operation it cannot call was left out, and said so on stderr.
    expect(description).not.toContain("upload_photo");
    expect(stderr).toContain("uploadPhoto");
  });

  it("calls the API with the header, and a 404 is a LookupError the program catches", async () => {
    const result = await run(
      [
        'cats = [p["name"] for p in list_pets(tag=["cat"])]',
        "try:",
        "    get_pet_by_id(petId=99)",
        "except LookupError as e:",
        "    missing = str(e)",
        "[cats, missing]",
      ].join("\n"),
    );
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toMatchObject({
      ok: true,
      value: [["Tom", "Kit"], 'GET /v1/pets/99 answered 404 Not Found: {"message":"no pet 99"}'],
    });
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
    ]);
  });

  it("a wrong argument fails the type check before any request", async () => {
    const result = await run('get_pet_by_id(petId="one")');
    expect(result.isError).toBe(true);
    expect(structured(result)).toMatchObject({ ok: false, error: { type: "TypeCheckError" } });
    expect(api.requests).toEqual([]);
  });

  it("puts a POST to the client's user, and sends it once approved", async () => {
    const result = await run('create_pet(name="Nemo", tag="fish")["name"]');
    expect(structured(result)).toMatchObject({ ok: true, value: "Nemo" });
    expect(asked).toEqual([expect.stringContaining("create_pet()")]);
    expect(api.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ["POST", "/v1/pets", '{"name":"Nemo","tag":"fish"}'],
    ]);
  });

  it("never writes the header's value to stderr", () => {
    expect(stderr).not.toContain(TOKEN);
  });
});
