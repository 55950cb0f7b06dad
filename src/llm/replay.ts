/**
 * The `replay:` model: answers with replies recorded in a JSONL file, in order.
 *
 * A testing and demo aid, never a substitute for a model: it ignores the prompt entirely,
 * so it only makes sense for a conversation you already know the shape of.
 *
 * Each non-blank line is a JSON string (the reply) or `{ "text": "...", "usage": {...} }`.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { LlmError } from "../errors.js";
import type { CallLlm, LlmReply, TokenUsage } from "./types.js";

/** One recorded reply. */
export interface ReplayEntry {
  text: string;
  usage?: TokenUsage;
}

/** Hands out the next recorded reply of one file on each call. */
export type Replayer = (signal?: AbortSignal) => Promise<LlmReply>;

/**
 * A `CallLlm` that answers from `path`, one recorded reply per call, whatever the model
 * string or prompt. Each call to this function starts again at the first reply.
 */
export function createReplayCallLlm(path: string): CallLlm {
  const next = createReplayer(path);
  return (_model, _system, _messages, options) => next(options?.signal);
}

/** The file is read on the first call; later calls walk through its replies. */
export function createReplayer(path: string): Replayer {
  const fullPath = resolve(path);
  let entries: Promise<ReplayEntry[]> | undefined;
  let used = 0;
  return async (signal) => {
    signal?.throwIfAborted();
    entries ??= loadReplayFile(fullPath);
    const all = await entries;
    signal?.throwIfAborted();
    const entry = all[used];
    if (!entry) {
      throw new LlmError(
        `Replay file ${fullPath} has ${all.length} recorded ${all.length === 1 ? "reply" : "replies"} and all were used; call ${used + 1} has none. Add replies to the file (one JSON string or {"text": ...} per line).`,
      );
    }
    used++;
    return entry.usage ? { text: entry.text, usage: entry.usage } : entry.text;
  };
}

/** Reads and checks a replay file; errors name the file and line. */
export async function loadReplayFile(path: string): Promise<ReplayEntry[]> {
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === "ENOENT" ? "does not exist" : `cannot be read (${String(error)})`;
    throw new LlmError(
      `Replay file ${path} ${why}. "replay:<path>" needs a JSONL file of recorded replies, one per line.`,
      { cause: error },
    );
  }
  const entries: ReplayEntry[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    entries.push(parseLine(line, `${path}:${index + 1}`));
  });
  return entries;
}

function parseLine(line: string, where: string): ReplayEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new LlmError(`${where}: not valid JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
  if (typeof value === "string") return { text: value };
  if (value !== null && typeof value === "object" && typeof (value as Entry).text === "string") {
    const { text, usage } = value as Entry;
    const clean = usage && typeof usage === "object" ? pickUsage(usage) : undefined;
    return clean ? { text, usage: clean } : { text };
  }
  throw new LlmError(`${where}: expected a JSON string or {"text": "...", "usage"?: {...}}.`);
}

type Entry = { text: string; usage?: Record<string, unknown> };

function pickUsage(raw: Record<string, unknown>): TokenUsage | undefined {
  const usage: TokenUsage = {};
  for (const key of ["inputTokens", "outputTokens", "totalTokens", "cachedInputTokens"] as const) {
    const n = raw[key];
    if (typeof n === "number" && Number.isFinite(n)) usage[key] = n;
  }
  return Object.keys(usage).length > 0 ? usage : undefined;
}
