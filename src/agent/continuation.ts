/**
 * Continuations: a suspended agent run as one string a caller can keep anywhere (a file, a
 * database row, a cookie-sized store is too small) and hand back hours later, to this
 * process or another. It holds the conversation, the run's record and the program's
 * snapshot (its whole heap), so it is signed: HMAC-SHA256 with `continuations.secret`. It is
 * not encrypted: do not hand it to someone who should not read the conversation. It never
 * holds API keys or options, only what the run produced.
 *
 * Layout: `cmc1.<base64url(v8 payload)>.<base64url(hmac)>`. The payload is read (with
 * `v8.deserialize`) only after the signature checks, so a forged one never reaches Monty.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import { ContinuationError, InvalidOptionsError } from "../errors.js";
import type { SuspendedExecution } from "../execute/types.js";
import { secretKey } from "../secret-key.js";
import { pythonStub } from "../tools/python/signature.js";
import type { Tool } from "../tools/types.js";
import type { LoopState } from "./run-loop.js";

const PREFIX = "cmc1";
/**
 * Payload layout version: a continuation from another layout is refused, not misread.
 * 2: `tools` is the fingerprint of the tools the suspended program had, not the agent's.
 */
const VERSION = 2;
export const DEFAULT_MAX_CONTINUATION_BYTES = 16 * 1024 * 1024;

/** Made once per process: continuations made without a secret resume only here. */
const PROCESS_SECRET = randomBytes(32);

interface Payload {
  version: number;
  id: string;
  createdAt: number;
  /** The tools the suspended program had (see `runToolsFingerprint`). */
  tools: string;
  loop: LoopState;
  suspended: SuspendedExecution;
}

export interface ContinuationKeys {
  secret: Uint8Array;
  /**
   * The `suspensionSecret` the agent's programs seal their suspensions with (inside the
   * signed continuation, so defence in depth): 32 bytes derived from `secret`, never the
   * secret itself.
   */
  sealKey: Uint8Array;
  maxBytes: number;
}

/** The signing key of an agent and its size limit, checked once at construction. */
export function continuationKeys(
  secret: string | Uint8Array | undefined,
  maxBytes = DEFAULT_MAX_CONTINUATION_BYTES,
): ContinuationKeys {
  const key = secret === undefined ? PROCESS_SECRET : secretKey(secret, "continuations.secret", 16);
  if (!Number.isInteger(maxBytes) || maxBytes < 1024) {
    throw new InvalidOptionsError(
      `continuations.maxBytes must be a whole number >= 1024 (got ${maxBytes}).`,
    );
  }
  const sealKey = createHmac("sha256", key).update("codemode suspension seal key").digest();
  return { secret: key, sealKey, maxBytes };
}

/**
 * A hash of the tools a suspended program had (`suspended.toolNames`), as they are in
 * `tools` now: their names and what the model and the type check saw of them (the stub).
 * Taken when the run suspends, from the tools it ran with (a live set may have changed
 * since the agent was built), and again before a resume claims the continuation. A name
 * missing from `tools` is part of the hash too, so a set without it never matches.
 */
export function runToolsFingerprint(tools: readonly Tool[], names: readonly string[]): string {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const used = names.flatMap((name) => byName.get(name) ?? []);
  const missing = names.filter((name) => !byName.has(name));
  return createHash("sha256")
    .update(JSON.stringify([...names].sort()))
    .update(JSON.stringify(missing))
    .update(pythonStub(used))
    .digest("base64url")
    .slice(0, 22);
}

export function sealContinuation(
  keys: ContinuationKeys,
  loop: LoopState,
  suspended: SuspendedExecution,
  tools: string,
): string {
  const payload: Payload = {
    version: VERSION,
    id: randomUUID(),
    createdAt: Date.now(),
    tools,
    loop,
    suspended,
  };
  const body = serialize(payload).toString("base64url");
  const signed = `${PREFIX}.${body}`;
  const text = `${signed}.${mac(keys.secret, signed)}`;
  if (text.length > keys.maxBytes) {
    throw new ContinuationError(
      "too-large",
      `the continuation would be ${text.length} bytes, over continuations.maxBytes (${keys.maxBytes}); keep fewer variables between turns or raise the limit`,
    );
  }
  return text;
}

/**
 * The run inside `text`, once the size, signature and layout check out. The caller checks
 * `tools` against its tools (`runToolsFingerprint`) before it claims the continuation.
 */
export function openContinuation(
  keys: ContinuationKeys,
  text: unknown,
): { id: string; loop: LoopState; suspended: SuspendedExecution; tools: string } {
  if (typeof text !== "string" || !text.startsWith(`${PREFIX}.`)) {
    throw new ContinuationError(
      "malformed",
      "this is not a codemode continuation (it should start with cmc1.); pass result.continuation as it was",
    );
  }
  if (text.length > keys.maxBytes) {
    throw new ContinuationError(
      "too-large",
      `the continuation is ${text.length} bytes, over continuations.maxBytes (${keys.maxBytes})`,
    );
  }
  const dot = text.lastIndexOf(".");
  const signed = text.slice(0, dot);
  const given = Buffer.from(text.slice(dot + 1), "base64url");
  const expected = Buffer.from(mac(keys.secret, signed), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ContinuationError(
      "tampered",
      "the continuation's signature does not match: it was changed, or signed with another continuations.secret (a continuation made without one resumes only in the process that made it)",
    );
  }
  let payload: Payload;
  try {
    payload = deserialize(Buffer.from(signed.slice(PREFIX.length + 1), "base64url")) as Payload;
  } catch {
    throw new ContinuationError("malformed", "the continuation's payload cannot be read");
  }
  if (payload?.version !== VERSION) {
    throw new ContinuationError(
      "version",
      `the continuation has layout version ${String(payload?.version)}; this codemode reads version ${VERSION}`,
    );
  }
  return {
    id: payload.id,
    loop: payload.loop,
    suspended: payload.suspended,
    tools: payload.tools,
  };
}

function mac(secret: Uint8Array, text: string): string {
  return createHmac("sha256", secret).update(text).digest("base64url");
}

const claimed = new Set<string>();

/** The default `continuations.claim`: each continuation once per process. */
export function claimInMemory(id: string): boolean {
  if (claimed.has(id)) return false;
  claimed.add(id);
  return true;
}
