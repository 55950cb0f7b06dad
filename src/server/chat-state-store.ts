/**
 * Where the chat server keeps what each chat remembers between its messages: the agent's
 * `result.state` (the variables its programs left), by chat. The page only ever holds the
 * chat's id, a random token the server made; the store is keyed by a hash of it, so neither
 * a file name nor a record holds an id that would reach the state. Records older than the
 * age limit are forgotten.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { InvalidOptionsError } from "../errors.js";
import { removeFile } from "./continuation-store.js";

/** One chat's state as the server keeps it. */
export interface ChatStateRecord {
  /** The agent's `result.state`, as it was (the server never reads it). */
  state: unknown;
  /** `Date.now()` when it was saved. */
  updatedAt: number;
}

/**
 * Storage for chats' states, by chat key (`chatKey(chatId)`: a hash, never the id).
 * `load` resolves `undefined` for a chat it does not hold or whose record is past its age.
 */
export interface ChatStateStore {
  save(key: string, record: ChatStateRecord): Promise<void>;
  load(key: string): Promise<ChatStateRecord | undefined>;
  delete(key: string): Promise<boolean>;
}

/** Default age limit of a chat's state: 7 days after its last message. */
export const DEFAULT_CHAT_STATE_MAX_AGE_MS = 7 * 24 * 3_600_000;
/** Default number of chats the memory store keeps (the least recently used go first). */
export const DEFAULT_MAX_CHATS = 1000;

/** Chat ids the server makes and accepts: 32 random bytes, base64url. */
export const CHAT_ID = /^[A-Za-z0-9_-]{43}$/;

export function newChatId(): string {
  return randomBytes(32).toString("base64url");
}

/** The key a chat's state is stored under: a hash of its id. */
export function chatKey(chatId: string): string {
  return createHash("sha256").update(`codemode chat\n${chatId}`).digest("hex");
}

const KEY = /^[0-9a-f]{64}$/;

function checkKey(key: string): void {
  if (typeof key !== "string" || !KEY.test(key)) {
    throw new InvalidOptionsError(
      "A chat state key is chatKey(chatId): 64 hex digits (the store never sees chat ids).",
    );
  }
}

function checkAge(maxAgeMs: number | undefined): number {
  const age = maxAgeMs ?? DEFAULT_CHAT_STATE_MAX_AGE_MS;
  if (!Number.isInteger(age) || age < 1) {
    throw new InvalidOptionsError(
      `maxAgeMs must be a whole number of milliseconds >= 1 (got ${age}).`,
    );
  }
  return age;
}

/**
 * Keeps states in this process's memory (lost when it stops): at most `maxChats`, the least
 * recently used dropped first, each for `maxAgeMs` after its last save.
 */
export function memoryChatStateStore(
  options: { maxAgeMs?: number; maxChats?: number } = {},
): ChatStateStore {
  const maxAgeMs = checkAge(options.maxAgeMs);
  const maxChats = options.maxChats ?? DEFAULT_MAX_CHATS;
  if (!Number.isInteger(maxChats) || maxChats < 1) {
    throw new InvalidOptionsError(`maxChats must be a whole number >= 1 (got ${maxChats}).`);
  }
  // Serialized, so a caller that changes a loaded state never changes the stored one.
  const records = new Map<string, { bytes: Buffer; updatedAt: number }>();
  return {
    async save(key, record) {
      checkKey(key);
      records.delete(key);
      records.set(key, { bytes: serialize(record.state), updatedAt: record.updatedAt });
      while (records.size > maxChats) records.delete(records.keys().next().value!);
    },
    async load(key) {
      checkKey(key);
      const found = records.get(key);
      if (!found) return undefined;
      if (Date.now() - found.updatedAt > maxAgeMs) {
        records.delete(key);
        return undefined;
      }
      records.delete(key);
      records.set(key, found);
      return { state: deserialize(found.bytes), updatedAt: found.updatedAt };
    },
    async delete(key) {
      checkKey(key);
      return records.delete(key);
    },
  };
}

/**
 * One file per chat, `<dir>/<key>.state` (`v8.serialize`d, mode 0600, the directory 0700,
 * made on first save), written to a temporary name and renamed. A record older than
 * `maxAgeMs` is not loaded, and files past it are removed as the store goes (at most once
 * an hour). The directory is trusted like the process's memory: keep it private.
 */
export function directoryChatStateStore(
  dir: string,
  options: { maxAgeMs?: number } = {},
): ChatStateStore {
  if (typeof dir !== "string" || dir.trim() === "") {
    throw new InvalidOptionsError("directoryChatStateStore(dir) needs a directory path.");
  }
  const maxAgeMs = checkAge(options.maxAgeMs);
  const file = (key: string) => {
    checkKey(key);
    return join(dir, `${key}.state`);
  };
  let sweptAt = 0;
  const sweep = async () => {
    if (Date.now() - sweptAt < 3_600_000) return;
    sweptAt = Date.now();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith(".state")) continue;
      const path = join(dir, name);
      try {
        if (Date.now() - (await stat(path)).mtimeMs > maxAgeMs) await unlink(path);
      } catch {
        // Gone meanwhile, or not ours to remove.
      }
    }
  };
  return {
    async save(key, record) {
      const target = file(key);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(temporary, serialize(record), { mode: 0o600, flag: "wx" });
      await rename(temporary, target);
      void sweep();
    },
    async load(key) {
      let bytes: Buffer;
      try {
        bytes = await readFile(file(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      let record: ChatStateRecord;
      try {
        record = deserialize(bytes) as ChatStateRecord;
      } catch {
        return undefined; // unreadable: the chat starts afresh
      }
      if (typeof record?.updatedAt !== "number" || Date.now() - record.updatedAt > maxAgeMs) {
        await unlink(file(key)).catch(() => undefined);
        return undefined;
      }
      return record;
    },
    delete: async (key) => removeFile(file(key)),
  };
}
