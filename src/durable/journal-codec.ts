/**
 * How tool results and LLM replies are written to the Restate journal. Plain JSON loses
 * what a tool may hand to Python (big integers, bytes, NaN/Infinity), and a replayed run
 * must see exactly what the first run saw, so those are written as tagged objects.
 */
import type { Serde } from "@restatedev/restate-sdk";
import { defineEntry } from "../define-entry.js";

const TAG = "$codemode";

type Tagged =
  | { [TAG]: "bigint"; v: string }
  | { [TAG]: "bytes"; v: string }
  | { [TAG]: "number"; v: string }
  | { [TAG]: "object"; v: Record<string, unknown> };

/** Value -> JSON-writable value with tags. Input is what `toPython` produces (no cycles). */
export function encodeJournalValue(value: unknown): unknown {
  switch (typeof value) {
    case "bigint":
      return { [TAG]: "bigint", v: value.toString() } satisfies Tagged;
    case "number":
      return Number.isFinite(value)
        ? value
        : ({ [TAG]: "number", v: String(value) } satisfies Tagged);
    case "undefined":
      return null;
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) {
    const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
    return { [TAG]: "bytes", v } satisfies Tagged;
  }
  if (Array.isArray(value)) return value.map(encodeJournalValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) defineEntry(out, k, encodeJournalValue(v));
  // A tool's own object that happens to use our tag key is wrapped so it is not mistaken.
  return TAG in out ? ({ [TAG]: "object", v: out } satisfies Tagged) : out;
}

export function decodeJournalValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decodeJournalValue);
  const obj = value as Record<string, unknown>;
  const tag = obj[TAG];
  if (typeof tag === "string") {
    switch (tag) {
      case "bigint":
        return BigInt(String(obj.v));
      case "bytes":
        return Buffer.from(String(obj.v), "base64");
      case "number":
        return Number(obj.v);
      case "object":
        return decodePlain(obj.v as Record<string, unknown>);
    }
  }
  return decodePlain(obj);
}

function decodePlain(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) defineEntry(out, k, decodeJournalValue(v));
  return out;
}

/** A Restate serde that round-trips values through the tags above. */
export function journalSerde<T>(): Serde<T> {
  return {
    contentType: "application/json",
    serialize: (value: T) => new TextEncoder().encode(JSON.stringify(encodeJournalValue(value))),
    deserialize: (data: Uint8Array) =>
      (data.length === 0
        ? undefined
        : decodeJournalValue(JSON.parse(new TextDecoder().decode(data)))) as T,
  };
}
