/** The chat app's options, checked once: `checkOptions` turns them into the settings every route reads. */

import { InvalidOptionsError } from "../errors.js";
import type { ChatAppOptions } from "./types.js";

const CHAT_DEFAULTS = {
  title: "codemode chat",
  maxBodyBytes: 1024 * 1024,
  maxMessageChars: 20_000,
  maxHistoryMessages: 100,
  maxConcurrentRuns: 8,
  maxQueuedRuns: 64,
  runTimeoutMs: 300_000,
} as const;

export type ChatSettings = ReturnType<typeof checkOptions>;

/** The settings with defaults applied. Throws `InvalidOptionsError` for a bad option. */
export function checkOptions(options: ChatAppOptions) {
  if (!options || typeof options !== "object") {
    throw new InvalidOptionsError("createChatApp({ agent, ... }) needs an options object.");
  }
  const { agent } = options;
  if (
    !agent ||
    typeof agent.run !== "function" ||
    typeof agent.toolDescriptions !== "function" ||
    typeof agent.usesDurableTools !== "function"
  ) {
    throw new InvalidOptionsError(
      "createChatApp needs `agent`: a CodeModeAgent, or an object with run(message, history, { signal, onEvent }), toolDescriptions() and usesDurableTools().",
    );
  }
  const positive = (name: keyof typeof CHAT_DEFAULTS, allowZero = false): number => {
    const value = options[name as keyof ChatAppOptions] ?? CHAT_DEFAULTS[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
      throw new InvalidOptionsError(
        `createChatApp: ${name} must be a whole number ${allowZero ? ">= 0" : ">= 1"} (got ${String(value)}).`,
      );
    }
    return value;
  };
  checkStores(options);
  if (options.nudges !== undefined && !isStringArray(options.nudges)) {
    throw new InvalidOptionsError("createChatApp: nudges must be an array of strings.");
  }
  return {
    title:
      typeof options.title === "string" && options.title.trim() ? options.title : "codemode chat",
    maxBodyBytes: positive("maxBodyBytes"),
    maxMessageChars: positive("maxMessageChars"),
    maxHistoryMessages: positive("maxHistoryMessages", true),
    maxConcurrentRuns: positive("maxConcurrentRuns"),
    maxQueuedRuns: positive("maxQueuedRuns", true),
    runTimeoutMs: positive("runTimeoutMs"),
  };
}

function checkStores(options: ChatAppOptions): void {
  const stores = {
    store:
      "a ContinuationStore: { save(id, record), load(id), delete(id) } (e.g. directoryContinuationStore(dir))",
    chatStates:
      "a ChatStateStore: { save(key, record), load(key), delete(key) } (e.g. directoryChatStateStore(dir))",
  } as const;
  for (const [name, shape] of Object.entries(stores)) {
    const store = options[name as keyof typeof stores];
    if (
      store !== undefined &&
      (!store ||
        typeof store.save !== "function" ||
        typeof store.load !== "function" ||
        typeof store.delete !== "function")
    ) {
      throw new InvalidOptionsError(`createChatApp: ${name} must be ${shape}.`);
    }
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
