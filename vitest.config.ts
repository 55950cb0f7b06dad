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
    // Every test lives under test/: in the folder of the src/ layer it drives (a layer's own
    // CLI command included), or in one of the by-kind folders CONTRIBUTING.md lists
    // (api, property, adversarial, reliability, browser, docs, examples, packed).
    // test/helpers/ holds the helpers shared across folders and no tests.
    include: ["test/**/*.test.ts"],
    // A scratch folder for the packed-and-installed package the test/packed/ helper
    // makes once per run, only when a test asks for it; and scratch XDG config and state
    // folders, so no test writes to the developer's home.
    globalSetup: ["test/packed/global-setup.ts", "test/helpers/scratch-home.ts"],
    // The default output, then one closing line when browser tests skipped (no Chromium).
    reporters: ["default", "./test/browser/skipped-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start sandbox worker processes; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
