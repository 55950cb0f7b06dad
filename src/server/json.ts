/** JSON for responses: survives bigint and bytes, and never carries a secret. */

const SECRET_NAME = /(_KEY|_TOKEN|_SECRET|_PASSWORD|^PASSWORD)$/i;

/** Values of secret-looking environment variables (long enough to be worth hiding). */
export function secretsFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined)
    .map(([, value]) => (value ?? "").trim())
    .filter((value) => value.length >= 8);
}

/** Builds `JSON.stringify` for responses with every secret replaced by `[redacted]`. */
export function createSafeJson(secrets: readonly string[]): (value: unknown) => string {
  // Longest first, so a secret containing another is replaced whole.
  const hidden = [...new Set(secrets.filter((s) => s.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  return (value) => {
    let text = JSON.stringify(value, replacer);
    for (const secret of hidden) {
      if (text.includes(secret)) text = text.split(secret).join("[redacted]");
      // A secret can also appear JSON-escaped inside a string.
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret && text.includes(escaped)) {
        text = text.split(escaped).join("[redacted]");
      }
    }
    return text;
  };
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  // A tool call's error keeps its JavaScript stack for the host's record; clients get the
  // type and message only (a stack names the host's files and dependencies).
  if (key === "stack" && typeof value === "string" && isErrorRecord(this)) return undefined;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return { bytes_base64: Buffer.from(value).toString("base64") };
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

function isErrorRecord(holder: unknown): boolean {
  return (
    typeof holder === "object" &&
    holder !== null &&
    typeof (holder as { type?: unknown }).type === "string" &&
    typeof (holder as { message?: unknown }).message === "string"
  );
}
