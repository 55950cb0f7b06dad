/**
 * The text of anything thrown, for messages: an Error's message, a string as it is, and
 * for other values a string that never throws (thrown objects can refuse conversion: a
 * throwing or missing toString).
 */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/**
 * How many characters of an error's text go anywhere outside the sandbox: the result's
 * `error`, the message to the model, events and spans. The same cut as printed output in
 * the retry message; a program can raise an exception of megabytes.
 */
export const MAX_ERROR_CHARS = 2000;

/** `text` kept to `max` characters; past it, the start and a note of how much was left out. */
export function cutErrorText(text: string, max = MAX_ERROR_CHARS): string {
  if (text.length <= max) return text;
  let kept = text.slice(0, max);
  // Do not leave half of a surrogate pair at the cut.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}[... ${text.length - kept.length} more characters of this error left out]`;
}
