/**
 * A machine without Chromium: the browser tests skip and the run ends with one line that
 * says so and how to get Chromium; under CI=true the same run fails instead. Runs vitest on
 * one browser test file in a child process, with CHROMIUM pointing at nothing.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

function vitestWithoutChromium(env: Record<string, string>) {
  const clean: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("VITEST") && key !== "CI") clean[key] = value;
  }
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "test/browser/tool-panel.test.ts"],
      {
        cwd: ROOT,
        env: { ...clean, CHROMIUM: "/no/such/chromium", NO_COLOR: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d;
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("browser tests on a machine without Chromium", () => {
  it("skip, and the run ends with one line saying so and how to get Chromium", async () => {
    const run = await vitestWithoutChromium({});
    expect(run.code).toBe(0);
    const last = run.output.trim().split("\n").at(-1);
    expect(last).toBe(
      "1 browser test(s) SKIPPED: no Chromium at /no/such/chromium. Install it (apt-get install chromium; .ci/run does) or set CHROMIUM=/path/to/chromium.",
    );
  }, 60_000);

  it("fail the run under CI=true", async () => {
    const run = await vitestWithoutChromium({ CI: "true" });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("the browser tests may not be skipped in CI");
  }, 60_000);
});
