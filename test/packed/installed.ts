/**
 * The package as a user gets it, made once per test run and shared by every test file
 * that needs it: the repository's files (tracked and new, as `git ls-files` lists them,
 * without `dist/`) copied to a clean tree, `npm pack` there (its `prepack` builds
 * `dist/`), then `npm install <tarball>` in an empty project. Packing a copy leaves this
 * checkout's `dist/` alone while other tests run it.
 *
 * Test files run in separate workers: the first to ask takes a lock file and does the
 * work, the others wait for its result file.
 */
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { inject } from "vitest";

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, "../..");

export interface PackedInstall {
  /** The tarball `npm pack` wrote. */
  tarball: string;
  /** The paths inside the tarball (`dist/index.js`, `README.md`, …). */
  files: string[];
  /** The project the tarball is installed in (`node_modules/codemode` inside). */
  app: string;
}

let mine: Promise<PackedInstall> | undefined;

/** The packed and installed package of this test run (made by the first caller). */
export function packedInstall(): Promise<PackedInstall> {
  mine ??= obtain(inject("packedDir"));
  return mine;
}

async function obtain(dir: string): Promise<PackedInstall> {
  const resultFile = join(dir, "install.json");
  try {
    openSync(join(dir, "lock"), "wx");
  } catch {
    return waitForResult(resultFile);
  }
  let result: { install?: PackedInstall; error?: string };
  try {
    result = { install: await packAndInstall(dir) };
  } catch (error) {
    result = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  writeFileSync(`${resultFile}.tmp`, JSON.stringify(result));
  renameSync(`${resultFile}.tmp`, resultFile);
  if (result.error) throw new Error(result.error);
  return result.install!;
}

async function waitForResult(file: string): Promise<PackedInstall> {
  const deadline = Date.now() + 300_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no packed install after 300 s (${file})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const result = JSON.parse(readFileSync(file, "utf8")) as {
    install?: PackedInstall;
    error?: string;
  };
  if (result.error) throw new Error(`packing in another test file failed: ${result.error}`);
  return result.install!;
}

async function packAndInstall(dir: string): Promise<PackedInstall> {
  const tree = join(dir, "tree");
  const { stdout: listed } = await run(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
  for (const path of listed.split("\0")) {
    if (!path || path.startsWith("dist/") || !existsSync(join(ROOT, path))) continue;
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    copyFileSync(join(ROOT, path), join(tree, path));
  }
  symlinkSync(join(ROOT, "node_modules"), join(tree, "node_modules"), "dir");
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: tree,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  const tarball = join(dir, packed!.filename);
  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  // Dependencies come from the registry (through npm's cache when it has them).
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
    cwd: app,
  });
  return { tarball, files: packed!.files.map((f) => f.path), app };
}
