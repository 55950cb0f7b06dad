/**
 * The key that signs the command line's continuations, so a run saved by `codemode run` can
 * be resumed by `codemode resume` in a later process: `$CODEMODE_CONTINUATION_SECRET` when
 * set, else a random key made on first use and kept in the user's config directory
 * (`$XDG_CONFIG_HOME/codemode/continuation-secret`, else `~/.config/...`), readable by the
 * user alone. It never sits next to the continuations it signs.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export function continuationSecretPath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "codemode", "continuation-secret");
}

export function cliContinuationSecret(): string {
  const fromEnv = process.env.CODEMODE_CONTINUATION_SECRET;
  if (fromEnv) return fromEnv;
  const path = continuationSecretPath();
  try {
    const stored = readFileSync(path, "utf8").trim();
    if (stored.length >= 32) return stored;
  } catch {
    // Not made yet: make it below.
  }
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // `wx`: if another process made it meanwhile, use theirs.
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
    return secret;
  } catch {
    return readFileSync(path, "utf8").trim();
  }
}

/**
 * Marks a continuation as resumed, across processes: a file per id in the config directory,
 * created exclusively, so `codemode resume` of the same saved run twice is refused.
 */
export function cliClaimContinuation(id: string): boolean {
  const dir = join(dirname(continuationSecretPath()), "resumed");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(join(dir, id.replace(/[^A-Za-z0-9-]/g, "")), "", { flag: "wx", mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}
