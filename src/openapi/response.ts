/**
 * What a call returns: the schema of the operation's 2xx JSON response (the Python return
 * type), and the value of the response the server sent (JSON parsed, text as a string,
 * anything else described, an empty body as None).
 */

import { ToolError } from "../errors.js";
import { isPlainObject } from "../plain-object.js";
import type { JsonSchema } from "../tools/types.js";
import type { RawOperation } from "./operations.js";
import { isJsonMediaType } from "./parameters.js";
import type { RefResolver } from "./refs.js";

/** The most a response body may hold before the call fails instead of filling the sandbox. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * The schema of the first 2xx response (200, 201, ..., then `2XX`) that has JSON content;
 * `{ type: "null" }` when the first 2xx response has no content (204); undefined when the
 * document does not say.
 */
export function successSchema(op: RawOperation, refs: RefResolver): JsonSchema | undefined {
  const responses = isPlainObject(op.operation.responses) ? op.operation.responses : {};
  const codes = Object.keys(responses)
    .filter((code) => /^2(\d\d|XX)$/i.test(code))
    .sort((a, b) => a.toUpperCase().localeCompare(b.toUpperCase()));
  for (const code of codes) {
    const { value: response, pointer } = refs.follow(
      responses[code],
      `${op.pointer}/responses/${code}`,
    );
    const content = isPlainObject(response.content) ? response.content : undefined;
    if (!content || Object.keys(content).length === 0) {
      if (code === codes[0]) return { type: "null" };
      continue;
    }
    const type = Object.keys(content).find(isJsonMediaType);
    if (type === undefined) return undefined;
    const media = content[type];
    if (!isPlainObject(media) || media.schema === undefined) return undefined;
    return refs.schema(media.schema, `${pointer}/content`);
  }
  return undefined;
}

/** The body of a 2xx response as the Python value. `where` names the call in messages. */
export async function successValue(response: Response, where: string): Promise<unknown> {
  const bytes = await boundedBody(response, where);
  if (bytes.length === 0) return null;
  const type = response.headers.get("content-type") ?? "";
  const text = () => new TextDecoder().decode(bytes);
  if (isJsonMediaType(type) || (type === "" && /^\s*[[{]/.test(text()))) {
    try {
      return JSON.parse(text());
    } catch {
      throw new ToolError(
        `${where} answered ${response.status} with a body that is not valid JSON`,
        {
          pythonType: "ValueError",
        },
      );
    }
  }
  if (/^text\/|^application\/(xml|x-www-form-urlencoded)/i.test(type)) return text();
  return {
    status: response.status,
    content_type: type,
    bytes: bytes.length,
    note: "a binary response; its data is not passed to Python",
  };
}

/** The body's bytes, refused past MAX_RESPONSE_BYTES. */
export async function boundedBody(response: Response, where: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(where);
  }
  if (!response.body) return new Uint8Array();
  // A declared length within the bound: one read, much cheaper than iterating the stream.
  if (response.headers.has("content-length")) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      await response.body.cancel().catch(() => {});
      throw tooLarge(where);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(where: string): ToolError {
  return new ToolError(
    `${where} answered with more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB: ask for less (a page, a filter)`,
    { pythonType: "RuntimeError" },
  );
}
