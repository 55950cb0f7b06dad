/**
 * Vitest global setup: the suite's own XDG config and state folders, so the CLI commands the
 * tests start (and the code they import) keep their continuation secret, saved runs and chat
 * state in a scratch folder, never in the developer's ~/.config or ~/.local/state. A test
 * that needs its own folders still sets XDG_CONFIG_HOME / XDG_STATE_HOME for its command.
 * Set before the test workers start, so they and their child processes inherit it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const home = mkdtempSync(join(tmpdir(), "codemode-test-home-"));
  process.env.XDG_CONFIG_HOME = join(home, "config");
  process.env.XDG_STATE_HOME = join(home, "state");
  return () => rmSync(home, { recursive: true, force: true });
}
