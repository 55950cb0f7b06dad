/**
 * `codemode chat --tools … --openapi …`: the chat server offers a tools module and an
 * API's operations side by side, and the page's tool list shows both. Runs dist/: build first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiFlags, type PetApi, startPetApi, TOKEN } from "./pet-api.js";

const ROOT = join(import.meta.dirname, "../..");
const CLI = join(ROOT, "dist/cli/main.js");

describe("codemode chat --openapi", () => {
  let api: PetApi;
  let child: ChildProcess;
  let url = "";
  let stderr = "";
  beforeAll(async () => {
    api = await startPetApi();
    const home = mkdtempSync(join(tmpdir(), "codemode-openapi-chat-"));
    child = spawn(
      process.execPath,
      [
        CLI,
        "chat",
        "--port",
        "0",
        "--tools",
        "examples/data-tools/tools.ts",
        ...openApiFlags(api, { document: "openapi.yaml" }),
        "--model",
        "replay:examples/replays/revenue-by-region.jsonl",
      ],
      {
        cwd: ROOT,
        env: { ...process.env, XDG_CONFIG_HOME: join(home, "c"), XDG_STATE_HOME: join(home, "s") },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk;
        const match = /codemode chat: (http:\/\/\S+)/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`codemode chat exited with ${code}: ${stderr}`)));
    });
  });
  afterAll(async () => {
    child?.kill("SIGTERM");
    await api?.close();
  });

  it("lists the module's tools and the API's operations together", async () => {
    const { tools } = (await (await fetch(`${url}api/tools`)).json()) as {
      tools: { name: string; signature: string }[];
    };
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["fetch_data", "list_pets", "get_pet_by_id"]));
    expect(tools.find((t) => t.name === "create_pet")?.signature).toBe(
      "create_pet(name: str, tag: str | None = None) -> Pet",
    );
    expect(stderr).toContain("uploadPhoto");
    expect(stderr).not.toContain(TOKEN);
  });
});
