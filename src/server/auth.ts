import { createHash, timingSafeEqual } from "node:crypto";
import { InvalidOptionsError } from "../errors.js";
import type { ChatAppOptions } from "./types.js";

export type AuthCheck = (request: Request) => Promise<boolean>;

/**
 * Turns the `auth` option into a check; `undefined` when the API is open. Without the
 * option, `CODEMODE_CHAT_TOKEN` (when set) is the bearer token.
 */
export function createAuthCheck(
  auth: ChatAppOptions["auth"],
  env: Record<string, string | undefined> = process.env,
): AuthCheck | undefined {
  if (auth === false) return undefined;
  if (auth === undefined) {
    const token = env.CODEMODE_CHAT_TOKEN?.trim();
    return token ? bearerCheck(token) : undefined;
  }
  if (typeof auth === "function") {
    return async (request) => {
      try {
        return (await auth(request)) === true;
      } catch {
        // A hook that throws denies; it must not leak its error to the client.
        return false;
      }
    };
  }
  if (typeof auth === "object" && typeof auth.token === "string" && auth.token.trim() !== "") {
    return bearerCheck(auth.token.trim());
  }
  throw new InvalidOptionsError(
    "createChatApp: auth must be { token: string } (non-empty), a function (request) => boolean, or false.",
  );
}

function bearerCheck(token: string): AuthCheck {
  const expected = digest(token);
  return async (request) => {
    const header = request.headers.get("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match?.[1]) return false;
    // Compare digests in constant time so response timing does not reveal the token.
    return timingSafeEqual(digest(match[1].trim()), expected);
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
