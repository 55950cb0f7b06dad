/** The scripted fake LLM every agent test uses: a `callLlm` that replays replies in order. */
import type { CallLlm, ChatMessage, TokenUsage } from "codemode";

/**
 * One scripted reply: the text itself, an `Error` the call throws, or a function of the
 * conversation (and system prompt) so far that returns the text.
 */
export type ScriptedReply = string | Error | ((messages: ChatMessage[], system: string) => string);

export interface ScriptedOptions {
  /** Token usage reported with every reply; without it the reply is the bare text. */
  usage?: TokenUsage;
  /** A `finishReason` reported with every reply (with `usage`). */
  finishReason?: string;
  /** The reply once the script is used up; without it a call past the end throws. */
  whenDone?: string;
}

/** One call the fake LLM received; `messages` is a copy taken at the time of the call. */
export interface ScriptedCall {
  model: string;
  system: string;
  messages: ChatMessage[];
}

export interface ScriptedLlm {
  callLlm: CallLlm;
  /** Every call so far, in order. */
  calls: ScriptedCall[];
  /** The replies not used yet; push to it to script more turns. */
  remaining: ScriptedReply[];
}

/** A `callLlm` that answers with `replies`, in order, and records each call. */
export function scriptedLlm(replies: ScriptedReply[], options: ScriptedOptions = {}): ScriptedLlm {
  const calls: ScriptedCall[] = [];
  const remaining = [...replies];
  const callLlm: CallLlm = async (model, system, messages) => {
    calls.push({ model, system, messages: structuredClone(messages) });
    const next = remaining.shift();
    let text: string;
    if (next === undefined) {
      if (options.whenDone === undefined) throw new Error("no more scripted replies");
      text = options.whenDone;
    } else if (next instanceof Error) {
      throw next;
    } else {
      text = typeof next === "function" ? next(messages, system) : next;
    }
    if (options.usage === undefined) return text;
    return options.finishReason === undefined
      ? { text, usage: options.usage }
      : { text, usage: options.usage, finishReason: options.finishReason };
  };
  return { callLlm, calls, remaining };
}

/** Just the `callLlm` of {@link scriptedLlm}, for tests that do not look at the calls. */
export const scripted = (replies: ScriptedReply[], options?: ScriptedOptions): CallLlm =>
  scriptedLlm(replies, options).callLlm;
