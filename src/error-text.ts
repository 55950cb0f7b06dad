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
