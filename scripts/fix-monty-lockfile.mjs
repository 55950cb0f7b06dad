#!/usr/bin/env node
// The registry reachable on our machines answers 404 for Monty's non-Linux optional
// packages, so `npm install` leaves them out of package-lock.json and `npm ci` then
// fails ("Missing: @pydantic/monty-darwin-arm64 from lock file"). This adds the
// entries npm would write, which keeps the lockfile right for users on other platforms.
// Run it after every `npm install` that touches the lockfile.
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const platforms = {
  "darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "darwin-x64": { os: ["darwin"], cpu: ["x64"] },
  "linux-arm64-gnu": { os: ["linux"], cpu: ["arm64"], libc: ["glibc"] },
  "win32-x64-msvc": { os: ["win32"], cpu: ["x64"] },
  "wasm32-wasi": { cpu: ["wasm32"] },
};
const monty = lock.packages["node_modules/@pydantic/monty"];
if (!monty) throw new Error("@pydantic/monty is not in package-lock.json");
let added = 0;
for (const [suffix, fields] of Object.entries(platforms)) {
  const key = `node_modules/@pydantic/monty-${suffix}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = { version: monty.version, optional: true, ...fields };
  added += 1;
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`fix-monty-lockfile: added ${added} entr${added === 1 ? "y" : "ies"}`);
