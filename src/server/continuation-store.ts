/**
 * Where the chat server keeps suspended runs between the `done` event that lists their
 * pending approvals and the click that decides them: possibly hours, possibly across a
 * restart. A record is found by an id the server makes (the page only ever sees that id,
 * never the continuation), and deleted by the resume that claims it, so a run is resumed
 * at most once.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PendingApproval } from "../agent/types.js";
import { InvalidOptionsError } from "../errors.js";

/** One suspended run, as the server stores it. Plain JSON. */
export interface ContinuationRecord {
  /** The agent's `result.continuation`, as it was (the server never reads it). */
  continuation: string;
  /** What the run waits on: every id needs a decision when it is resumed. */
  approvals: PendingApproval[];
  /** The chat message that started the run. */
  message?: string;
  /** The chat's state key (`chatKey(chatId)`, never the id): the resumed run's state is kept under it. */
  chat?: string;
  /** `Date.now()` when the run suspended. */
  createdAt: number;
}

/**
 * Storage for suspended runs. `delete` is the claim: it resolves `true` for the one caller
 * that removed the record and `false` when it was already gone, and only the caller that got
 * `true` resumes the run. Back it with anything that can do that atomically (a file's
 * `unlink`, a row's `DELETE … RETURNING`, Redis `GETDEL`).
 */
export interface ContinuationStore {
  save(id: string, record: ContinuationRecord): Promise<void>;
  load(id: string): Promise<ContinuationRecord | undefined>;
  delete(id: string): Promise<boolean>;
}

/** Ids the server makes and accepts: also safe as file names. */
export const CONTINUATION_ID = /^[A-Za-z0-9_-]{8,128}$/;

export function newContinuationId(): string {
  return randomUUID();
}

function checkId(id: string): void {
  if (typeof id !== "string" || !CONTINUATION_ID.test(id)) {
    throw new InvalidOptionsError(
      `A continuation id is 8 to 128 letters, digits, "-" or "_" (got ${JSON.stringify(id)}).`,
    );
  }
}

/** Keeps records in this process's memory: they are lost when it stops. */
export function memoryContinuationStore(): ContinuationStore {
  const records = new Map<string, string>();
  return {
    async save(id, record) {
      checkId(id);
      records.set(id, JSON.stringify(record));
    },
    async load(id) {
      checkId(id);
      const text = records.get(id);
      return text === undefined ? undefined : (JSON.parse(text) as ContinuationRecord);
    },
    async delete(id) {
      checkId(id);
      return records.delete(id);
    },
  };
}

/**
 * One file per suspended run, `<dir>/<id>.json` (mode 0600, the directory 0700, made on
 * first save). Written to a temporary name and renamed, so a crash never leaves half a
 * record; `delete` is an `unlink`, so of two resumes of one record only one succeeds, even
 * from two processes sharing the directory.
 */
export function directoryContinuationStore(dir: string): ContinuationStore {
  if (typeof dir !== "string" || dir.trim() === "") {
    throw new InvalidOptionsError("directoryContinuationStore(dir) needs a directory path.");
  }
  const file = (id: string) => {
    checkId(id);
    return join(dir, `${id}.json`);
  };
  return {
    async save(id, record) {
      const target = file(id);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(temporary, JSON.stringify(record), { mode: 0o600, flag: "wx" });
      await rename(temporary, target);
    },
    async load(id) {
      let text: string;
      try {
        text = await readFile(file(id), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      return JSON.parse(text) as ContinuationRecord;
    },
    delete: async (id) => removeFile(file(id)),
  };
}

/** Removes a store's file: `true` for the caller that removed it, `false` when it was gone. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
