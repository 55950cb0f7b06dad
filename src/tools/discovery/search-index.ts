/**
 * The search behind `search_tools`: BM25F over a tool set's names (split at `_` and
 * camelCase), parameter names and descriptions. Deterministic, local, no model.
 */
import type { Tool } from "../types.js";

const STOP_WORDS = new Set(
  "a all an and any are as at be by can do does for from has have how i in into is it its me my of on or our that the their them this to was we what which with you your".split(
    " ",
  ),
);
const K1 = 1.2;
const B = 0.75;
/** Weights of a word by where it appears: a tool's name says most about what it does. */
const NAME_WEIGHT = 3;
const PARAMETER_WEIGHT = 1.5;
const TEXT_WEIGHT = 1;

/**
 * Words of `text`, lowercased and lightly stemmed: `getUserInvoices_v2` and "user's
 * invoices" both give `user`, `invoice` (and `v2`). Stop words are dropped.
 */
export function searchTerms(text: string): string[] {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  const terms: string[] = [];
  for (const word of words) {
    if (word === "" || STOP_WORDS.has(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}

/** Plural and a few verb endings off, so "invoices", "invoice" and "invoiced" meet. */
function stem(word: string): string {
  if (word.length <= 3 || /^[0-9]/.test(word)) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|sses|xes|zes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 4) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us")) {
    return word.slice(0, -1);
  }
  return word;
}

/** Where a word of a tool appears; each field has its own weight and length normalization. */
const FIELDS = [
  { weight: NAME_WEIGHT, b: 0.5 },
  { weight: PARAMETER_WEIGHT, b: 0.5 },
  { weight: TEXT_WEIGHT, b: B },
] as const;

/**
 * A BM25F index over one tool set (built once per set, see `toolIndex`): a word counts three
 * times in a tool's name, 1.5 times in a parameter's name and once in a description, each
 * field normalized by its own length, so a long description does not bury a name that says
 * it all; the score then grows with the share of the query's words the name has.
 */
export class ToolIndex {
  /** term -> the tools that have it, with its count in each field. */
  private readonly postings = new Map<string, { doc: number; tf: number[] }[]>();
  /** Per tool, per field: its length in words. */
  private readonly lengths: number[][] = [];
  private readonly averages: number[];

  constructor(readonly tools: readonly Tool[]) {
    tools.forEach((tool, doc) => {
      const fields = [
        tool.name,
        tool.parameters.map((p) => p.name).join(" "),
        [
          tool.description,
          ...tool.parameters.map((p) => (p.schema as { description?: unknown }).description),
        ]
          .filter((d): d is string => typeof d === "string")
          .join(" "),
      ].map(searchTerms);
      const counts = new Map<string, number[]>();
      fields.forEach((terms, f) => {
        for (const term of terms) {
          let tf = counts.get(term);
          if (!tf) {
            tf = [0, 0, 0];
            counts.set(term, tf);
          }
          tf[f]! += 1;
        }
      });
      for (const [term, tf] of counts) {
        let list = this.postings.get(term);
        if (!list) {
          list = [];
          this.postings.set(term, list);
        }
        list.push({ doc, tf });
      }
      this.lengths.push(fields.map((terms) => terms.length));
    });
    this.averages = FIELDS.map((_, f) => {
      const total = this.lengths.reduce((sum, lengths) => sum + lengths[f]!, 0);
      return total / Math.max(1, tools.length) || 1;
    });
  }

  /**
   * The best `limit` tools for `query`, best first; ties keep the set's order. A query that
   * is a tool's exact name puts that tool first. Tools sharing no word with the query are
   * left out, so the list may be shorter than `limit`, or empty.
   */
  search(query: string, limit = 10): Tool[] {
    const scores = new Map<number, number>();
    /** Per tool: how many of the query's words its name has. */
    const inName = new Map<number, number>();
    const n = this.tools.length;
    const terms = new Set(searchTerms(query));
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        let weighted = 0;
        FIELDS.forEach(({ weight, b }, f) => {
          if (tf[f] === 0) return;
          weighted +=
            (weight * tf[f]!) / (1 - b + (b * this.lengths[doc]![f]!) / this.averages[f]!);
        });
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * weighted * (K1 + 1)) / (weighted + K1));
        if (tf[0]! > 0) inName.set(doc, (inName.get(doc) ?? 0) + 1);
      }
    }
    // A name that has every word asked for is what was asked for: up to twice the score.
    for (const [doc, score] of scores) {
      scores.set(doc, score * (1 + (inName.get(doc) ?? 0) / terms.size));
    }
    const exact = this.tools.findIndex((t) => t.name === query.trim());
    if (exact >= 0) scores.set(exact, Number.POSITIVE_INFINITY);
    return [...scores]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, limit)
      .map(([doc]) => this.tools[doc]!);
  }
}

const indexes = new WeakMap<readonly Tool[], ToolIndex>();

/** The index of a frozen tool set, built on first use and kept as long as the set lives. */
export function toolIndex(tools: readonly Tool[]): ToolIndex {
  let index = indexes.get(tools);
  if (!index) {
    index = new ToolIndex(tools);
    if (Object.isFrozen(tools)) indexes.set(tools, index);
  }
  return index;
}
