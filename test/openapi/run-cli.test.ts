/**
 * `codemode run --openapi <url>` with a replayed model: the program calls the live pet API
 * (a read, and a POST approved with --approve), beside or without a --tools module; a
 * malformed --openapi-header is refused without repeating it. Runs dist/: build first.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/helpers.js";
import { py } from "../helpers/python.js";
import { openApiFlags, type PetApi, startPetApi, TOKEN } from "./pet-api.js";

function replay(code: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "codemode-openapi-run-")), "replay.jsonl");
  writeFileSync(file, `${JSON.stringify({ text: py(code) })}\n`);
  return file;
}

describe("codemode run --openapi", () => {
  let api: PetApi;
  beforeAll(async () => {
    api = await startPetApi();
  });
  afterAll(() => api?.close());

  it("answers with the API's tools; a POST runs when --approve names it", async () => {
    const model = replay(
      [
        'cats = list_pets(tag=["cat"])',
        'new = create_pet(name="Nemo", tag="fish")',
        "{\"summary\": f\"{len(cats)} cats; added {new['name']} as {new['id']}\"}",
      ].join("\n"),
    );
    const run = await runCli([
      "run",
      "Count the cats, then add Nemo.",
      ...openApiFlags(api),
      "--approve",
      "create_pet",
      "--model",
      `replay:${model}`,
    ]);
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("2 cats; added Nemo as 4");
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /v1/pets?tag=cat&limit=20",
      "POST /v1/pets",
    ]);
  });

  it.each([
    ["--openapi-header", `Authorization: Bearer ${TOKEN}`],
    ["--openapi-auth", `bearer=${TOKEN}`],
  ])(
    "saves a run waiting for approval with its documents (not %s), and resumes it",
    async (flag, value) => {
      api.requests.length = 0;
      const model = replay('p = create_pet(name="Dory")\n{"summary": f"added {p[\'name\']}"}');
      const save = join(mkdtempSync(join(tmpdir(), "codemode-openapi-save-")), "run.json");
      const credential = flag === "--openapi-auth" ? { auth: value } : { header: value };
      const first = await runCli([
        "run",
        "Add Dory.",
        ...openApiFlags(api, credential),
        "--model",
        `replay:${model}`,
        "--save",
        save,
      ]);
      expect(first.code).toBe(3);
      const saved = readFileSync(save, "utf8");
      expect(JSON.parse(saved).openapi).toEqual([`${api.url}/openapi.json`]);
      expect(saved).not.toContain(TOKEN);
      expect(api.requests).toEqual([]);

      const resumed = await runCli(["resume", save, "--approve", "create_pet", flag, value]);
      expect(resumed.stderr).not.toContain(TOKEN);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain("added Dory");
      expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /v1/pets"]);
      expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    },
  );

  it("sends --openapi-auth's credential as its scheme says, and never prints it", async () => {
    api.requests.length = 0;
    const model = replay('{"summary": f"{len(list_pets())} pets"}');
    const run = await runCli([
      "run",
      "How many pets?",
      ...openApiFlags(api, { auth: `bearer=${TOKEN}` }),
      "--model",
      `replay:${model}`,
      "--json",
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatch(/^\d+ pets$/);
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`]);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it("gives each of several documents the credentials of the schemes it defines", async () => {
    api.requests.length = 0;
    const petstore = join(import.meta.dirname, "fixtures/petstore-3.0.yaml");
    const run = await runCli([
      "run",
      "How many pets?",
      ...openApiFlags(api, { auth: `bearer=${TOKEN}` }),
      "--openapi",
      petstore,
      // petstore's scheme; the pet API's operations do not ask for it.
      "--openapi-auth",
      "api_key=petstore-key",
      "--openapi-base-url",
      `${api.url}/v1`,
      "--model",
      `replay:${replay('{"summary": f"{len(list_pets())} pets"}')}`,
    ]);
    expect(run.code).toBe(0);
    expect(api.requests.map((r) => [r.headers.authorization, r.headers.api_key])).toEqual([
      [`Bearer ${TOKEN}`, undefined],
    ]);
    // petstore's OAuth operations are said to go without; no secret is printed.
    expect(run.stderr).toContain("petstore_auth (oauth2: the token)");
    expect(run.stdout + run.stderr).not.toMatch(new RegExp(`${TOKEN}|petstore-key`));
  });

  it("refuses an --openapi-auth that is not scheme=value, or names no scheme, without repeating it", async () => {
    const attempt = (auth: string) =>
      runCli([
        "run",
        "anything",
        ...openApiFlags(api, { auth }),
        "--model",
        `replay:${replay("1")}`,
      ]);
    const malformed = await attempt(TOKEN);
    expect(malformed.code).not.toBe(0);
    expect(malformed.stderr).toContain('--openapi-auth number 1 is not "scheme=value"');
    const unknown = await attempt(`bearerAuth=${TOKEN}`);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain(
      '--openapi-auth names "bearerAuth", which no --openapi document defines: their security schemes are "bearer".',
    );
    const empty = await attempt("bearer=");
    expect(empty.stderr).toContain(
      'gives "bearer" an empty value (is its environment variable set?)',
    );
    for (const run of [malformed, unknown]) expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it("refuses a header that is not Name: value, without repeating it", async () => {
    const run = await runCli([
      "run",
      "anything",
      ...openApiFlags(api, { header: `Bearer ${TOKEN}` }),
      "--model",
      `replay:${replay("1")}`,
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--openapi-header number 1 is not "Name: value"');
    expect(run.stderr).not.toContain(TOKEN);
  });
});
