/**
 * Turning the program's final value into the answer: a dict gives `summary` and
 * `charts`; anything else becomes the summary as text.
 */
import { isRecord } from "../plain-object.js";
import type { Chart } from "./types.js";

export const NO_SUMMARY = "No summary generated.";

export type Shaped = { ok: true; summary: string; charts: Chart[] } | { ok: false; error: string };

export function shapeResult(value: unknown): Shaped {
  if (!isDict(value)) return { ok: true, summary: valueText(value), charts: [] };
  const summary =
    value.summary === undefined || value.summary === null ? NO_SUMMARY : valueText(value.summary);
  const charts = value.charts;
  if (charts === undefined || charts === null) return { ok: true, summary, charts: [] };
  if (!Array.isArray(charts)) {
    return {
      ok: false,
      error: `"charts" must be a list of Chart.js config dicts or HTML strings, got ${describe(charts)}.`,
    };
  }
  for (const [i, chart] of charts.entries()) {
    if (typeof chart === "string") continue;
    if (!isDict(chart) || typeof chart.type !== "string" || !isDict(chart.data)) {
      return {
        ok: false,
        error: `charts[${i}] must be a Chart.js config dict with "type" (a string) and "data" (a dict), or an HTML string; got ${describe(chart)}.`,
      };
    }
  }
  return { ok: true, summary, charts: charts as Chart[] };
}

/** A Python dict as it arrives in JS (bytes arrive as Uint8Array, which is not one). */
function isDict(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && !(value instanceof Uint8Array);
}

function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "None";
  if (typeof value === "object") {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }
  return String(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "None";
  if (typeof value === "object") return "a dict without the needed keys";
  return `a ${typeof value}`;
}
