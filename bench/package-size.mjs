#!/usr/bin/env node
/**
 * The package as a user downloads and installs it: `npm pack` of this checkout (which
 * builds `dist/` first, through `prepack`), then `npm install <tarball>` in an empty
 * project. Prints the tarball's file count, packed and unpacked size, and the install's
 * size with every dependency (files and bytes under the project's node_modules, and the
 * number of packages). Installs go through npm's cache (`--prefer-offline`).
 *
 *   node bench/package-size.mjs           # pack, install, print
 *   node bench/package-size.mjs --json    # the same numbers as JSON
 */
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const json = process.argv.includes("--json");

const dir = mkdtempSync(join(tmpdir(), "codemode-size-"));
try {
  process.stderr.write("packing…\n");
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }),
  )[0];
  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  process.stderr.write("installing the tarball in an empty project…\n");
  execFileSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, packed.filename)],
    { cwd: app, stdio: ["ignore", "ignore", "inherit"] },
  );
  const installed = walk(join(app, "node_modules"));
  const numbers = {
    files: packed.entryCount,
    packedBytes: packed.size,
    unpackedBytes: packed.unpackedSize,
    sourceMaps: packed.files.filter((f) => f.path.endsWith(".map")).length,
    install: { packages: installed.packages, files: installed.files, bytes: installed.bytes },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(numbers, null, 2)}\n`);
  } else {
    const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
    process.stdout.write(
      [
        `package ${packed.name}@${packed.version}`,
        `  files in the tarball:  ${numbers.files} (${numbers.sourceMaps} source maps)`,
        `  packed size:           ${mb(numbers.packedBytes)}`,
        `  unpacked size:         ${mb(numbers.unpackedBytes)}`,
        `install size (node_modules of an empty project after npm install <tarball>):`,
        `  packages:              ${numbers.install.packages}`,
        `  files:                 ${numbers.install.files}`,
        `  bytes:                 ${mb(numbers.install.bytes)}`,
        "",
      ].join("\n"),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Files, bytes (apparent size) and package.json-bearing package folders under `root`. */
function walk(root) {
  let files = 0;
  let bytes = 0;
  let packages = 0;
  const stack = [root];
  while (stack.length > 0) {
    const at = stack.pop();
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        stack.push(path);
      } else if (entry.isFile()) {
        files++;
        bytes += lstatSync(path).size;
        if (entry.name === "package.json" && /node_modules[/\\](@[^/\\]+[/\\])?[^/\\]+$/.test(at)) {
          packages++;
        }
      }
    }
  }
  return { files, bytes, packages };
}
