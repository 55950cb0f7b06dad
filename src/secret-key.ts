/** An HMAC key from an option: a string (its UTF-8 bytes) or bytes, checked once where it is given. */
import { InvalidOptionsError } from "./errors.js";

/**
 * The bytes of `secret`, or InvalidOptionsError naming `option` when it is neither a string
 * nor a Uint8Array of at least `minBytes` bytes.
 */
export function secretKey(secret: unknown, option: string, minBytes: number): Uint8Array {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (!(key instanceof Uint8Array) || key.byteLength < minBytes) {
    throw new InvalidOptionsError(
      `${option} must be a string or bytes of at least ${minBytes} bytes (e.g. 32 random bytes, base64).`,
    );
  }
  return key;
}
