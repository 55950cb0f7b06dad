/**
 * One scratch folder per test run for the packed package (see installed.ts): the first
 * test that needs the installed tarball packs and installs it there, every other test
 * file of the run reuses it, and the folder goes when the run ends. Creating the folder
 * is all this does, so a run that needs no tarball pays nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    packedDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "codemode-packed-"));
  project.provide("packedDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
