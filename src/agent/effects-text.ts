/**
 * How the model is told about calls that changed things: in the retry message (they
 * already happened; the same call replays its result) and in a look's observation.
 */
import type { SideEffect } from "../execute/types.js";
import { fenced } from "./observation.js";

const MAX_LISTED = 20;
const MAX_RESULT_CHARS = 300;

/** `refund(order_id=7, amount=20) -> {"refunded": 20}`, one line per call, bounded. */
export function effectLines(effects: readonly SideEffect[]): string[] {
  const lines = effects.slice(0, MAX_LISTED).map((e) => {
    const args = Object.entries(e.args)
      .map(([k, v]) => `${k}=${json(v)}`)
      .join(", ");
    const outcome = e.ok ? `-> ${json(e.result)}` : `raised ${e.error?.type}: ${e.error?.message}`;
    return `- ${e.tool}(${args}) ${cut(outcome, MAX_RESULT_CHARS)}`;
  });
  if (effects.length > MAX_LISTED) lines.push(`- ... and ${effects.length - MAX_LISTED} more`);
  return lines;
}

/** The retry message's account of the calls the turn's failed attempts completed. */
export function retryEffectsNote(effects: readonly SideEffect[]): string {
  if (effects.length === 0) return "";
  return (
    "\n\nThese calls already ran before the failure and changed things. They happened: do " +
    "not make them happen again unless the user asked for it again.\n" +
    // Results are the tools' text: fenced, as the program's output is.
    fenced(effectLines(effects).join("\n")) +
    "\nYour corrected program may make the same calls with the same arguments: they return " +
    "the results above without running again (and without asking for approval again)."
  );
}

/** The observation's line naming a look's side-effecting calls. */
export function lookEffectsLine(effects: readonly SideEffect[]): string[] {
  if (effects.length === 0) return [];
  return [
    `Calls that changed things (done; they run again if a later program calls them):\n${fenced(effectLines(effects).join("\n"))}`,
  ];
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "None";
  } catch {
    return String(value);
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}
