/** Messages for a name the program used that is not defined: list what is, suggest the closest. */
export function unknownNameMessage(name: string, available: readonly string[]): string {
  let message = `name '${cutName(name)}' is not defined`;
  const closest = closestName(name, available);
  if (closest !== undefined) message += `. Did you mean '${closest}'?`;
  const end = closest === undefined ? "." : "";
  if (available.length === 0) return `${message}. No tool functions are available in this run.`;
  // A large set is not worth listing in full: the program can search it instead.
  if (available.includes("search_tools")) {
    return `${message}${end} search_tools(query) finds functions by what they do.`;
  }
  const names = [...available].sort();
  const shown = names.length > MAX_LISTED ? names.slice(0, MAX_LISTED) : names;
  const more = names.length > MAX_LISTED ? `, and ${names.length - MAX_LISTED} more` : "";
  return `${message}${end} Available functions: ${shown.join(", ")}${more}.`;
}

const MAX_LISTED = 60;

/**
 * Names longer than this are never compared: no function name is that long, and an edit
 * distance costs the product of the two lengths, on the host's event loop.
 */
export const MAX_COMPARED_NAME = 100;

/**
 * The available name with the smallest edit distance, if it is close enough to be a typo.
 * Bounded work whatever the program passes: a name past `MAX_COMPARED_NAME` characters gets
 * no suggestion, and a candidate whose length alone puts it out of reach is skipped.
 */
export function closestName(name: string, available: readonly string[]): string | undefined {
  if (name.length === 0 || name.length > MAX_COMPARED_NAME) return undefined;
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of available) {
    if (candidate.length > MAX_COMPARED_NAME) continue;
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const d = editDistance(wanted, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const threshold = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  const related = best.includes(name) || name.includes(best);
  return bestDistance <= threshold || related ? best : undefined;
}

/** The edit distance of `a` and `b`, or any value >= `bound` once it cannot be below it. */
function editDistance(a: string, b: string, bound: number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (current[j]! < rowMin) rowMin = current[j]!;
    }
    if (rowMin >= bound) return rowMin;
    previous = current;
  }
  return previous[b.length]!;
}

/** A name as a message shows it: cut past `MAX_COMPARED_NAME` characters. */
export function cutName(name: string): string {
  return name.length <= MAX_COMPARED_NAME
    ? name
    : `${name.slice(0, MAX_COMPARED_NAME)}… (${name.length} characters)`;
}

/** `text` quoted for a message, cut to `max` characters (a program can pass megabytes). */
export function quoteShort(text: string, max = 80): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

/**
 * Python's hard keywords: `def class(...)`, `f(from=1)` or `from = 1` is a syntax error.
 * The one list: tool and parameter names (tools/python/names.ts) and kept variables
 * (state-capture.ts) both check against it.
 */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]);
