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
      { find: /^codemode\/(ai-sdk|mcp|server|durable|eval)$/, replacement: src("$1/index.ts") },
    ],
  },
  test: {
    // One rule: every test lives under test/, in the folder of the layer it drives.
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start sandbox worker processes; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
