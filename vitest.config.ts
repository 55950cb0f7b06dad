import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import `codemode` and `codemode/<subpath>` the way a user does, but resolved to
    // the sources (as tsconfig's `paths` and tsx do), so `npx vitest` needs no build and
    // never tests a stale `dist/`.
    alias: [
      { find: /^codemode$/, replacement: src("index.ts") },
      {
        find: /^codemode\/examples\/data-tools$/,
        replacement: fileURLToPath(new URL("./examples/data-tools/tools.ts", import.meta.url)),
      },
      {
        find: /^codemode\/(ai-sdk|mcp|openapi|server|durable|eval)$/,
        replacement: src("$1/index.ts"),
      },
    ],
  },
  test: {
    // One rule: every test lives under test/, in the folder of the layer it drives.
    include: ["test/**/*.test.ts"],
    // A scratch folder for the packed-and-installed package the test/packed/ helper
    // makes once per run, only when a test asks for it.
    globalSetup: ["test/packed/global-setup.ts"],
    // The default output, then one closing line when browser tests skipped (no Chromium).
    reporters: ["default", "./test/browser/skipped-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start sandbox worker processes; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
