/** Messages for a name the program used that is not defined: list what is, suggest the closest. */
export function unknownNameMessage(name: string, available: readonly string[]): string {
  let message = `name '${name}' is not defined`;
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

/** The available name with the smallest edit distance, if it is close enough to be a typo. */
export function closestName(name: string, available: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of available) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
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

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
