import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LlmError } from "../../src/errors.js";
import { createReplayCallLlm, loadReplayFile } from "../../src/llm/replay.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "codemode-replay-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(lines: string): Promise<string> {
  const path = join(dir, "replies.jsonl");
  await writeFile(path, lines);
  return path;
}

describe("createReplayCallLlm", () => {
  it("answers in order whatever the model and prompt, then says how many replies there were", async () => {
    const path = await file('"one"\r\n{"text": "two", "usage": {"totalTokens": 9, "junk": "x"}}\n');
    const callLlm = createReplayCallLlm(path);
    expect(await callLlm("anything", "sys", [], {})).toBe("one");
    expect(await callLlm("else", "", [{ role: "user", content: "?" }], {})).toEqual({
      text: "two",
      usage: { totalTokens: 9 },
    });
    await expect(callLlm("x", "", [], {})).rejects.toThrow(
      /has 2 recorded replies and all were used; call 3/,
    );
    // Each client has its own position.
    expect(await createReplayCallLlm(path)("x", "", [], {})).toBe("one");
  });

  it("honours an aborted signal", async () => {
    const path = await file('"one"\n');
    const signal = AbortSignal.abort();
    await expect(createReplayCallLlm(path)("x", "", [], { signal })).rejects.toBe(signal.reason);
  });
});

describe("loadReplayFile", () => {
  it("names the file and line of a bad entry", async () => {
    const bad = await file('"ok"\n{not json}\n');
    await expect(loadReplayFile(bad)).rejects.toThrow(`${bad}:2: not valid JSON`);
    const wrongShape = await file('"ok"\n{"reply": "x"}\n');
    await expect(loadReplayFile(wrongShape)).rejects.toThrow(`${wrongShape}:2: expected`);
  });

  it("names a missing file", async () => {
    const missing = join(dir, "missing.jsonl");
    const error = await loadReplayFile(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as Error).message).toContain(`${missing} does not exist`);
  });
});
