/**
 * An MCP `CallToolResult` as the value Python receives. Structured content wins; text is
 * parsed when it is JSON; media and resources become small descriptive dicts (their bytes
 * never enter the sandbox); `isError` becomes a Python exception the code can catch.
 */
import { ToolError } from "../errors.js";

/** What a described non-text content block looks like in Python. */
export interface DescribedContent {
  type: string;
  [key: string]: unknown;
}

type Block = { type?: unknown; [key: string]: unknown };

/**
 * The Python value of a tool result. Throws ToolError (a `RuntimeError` in Python) with
 * the server's message when the result has `isError`. `where` names the tool in messages.
 */
export function toolResultValue(result: Record<string, unknown>, where: string): unknown {
  const content = Array.isArray(result.content) ? (result.content as Block[]) : [];
  if (result.isError === true) {
    const text = content
      .filter((b) => b.type === "text" && typeof b.text === "string")
      .map((b) => b.text as string)
      .join("\n")
      .trim();
    throw new ToolError(
      `${where} failed: ${text || "the server reported an error without a message"}`,
    );
  }
  if (result.structuredContent !== undefined && result.structuredContent !== null) {
    return result.structuredContent;
  }
  // Servers speaking the 2024-10-07 protocol answer with `toolResult` instead of content.
  if (!Array.isArray(result.content) && "toolResult" in result) return result.toolResult;
  const values = content.map(blockValue);
  if (values.length === 0) return null;
  if (values.length === 1) return values[0];
  return values;
}

/** One content block: text (parsed when JSON) or a description of what it holds. */
export function blockValue(block: Block): unknown {
  switch (block.type) {
    case "text":
      return typeof block.text === "string" ? parseJsonText(block.text) : "";
    case "image":
    case "audio": {
      const bytes = base64Bytes(block.data);
      return {
        type: block.type,
        mimeType: typeof block.mimeType === "string" ? block.mimeType : "application/octet-stream",
        bytes,
        note: `${block.type} content (${bytes} bytes) returned by the tool; its data is not passed to Python`,
      } satisfies DescribedContent;
    }
    case "resource": {
      const resource = (block.resource ?? {}) as Record<string, unknown>;
      const described: DescribedContent = { type: "resource", uri: String(resource.uri ?? "") };
      if (typeof resource.mimeType === "string") described.mimeType = resource.mimeType;
      if (typeof resource.text === "string") described.text = resource.text;
      else if (typeof resource.blob === "string") {
        described.bytes = base64Bytes(resource.blob);
        described.note = "binary resource; its data is not passed to Python";
      }
      return described;
    }
    case "resource_link": {
      const described: DescribedContent = { type: "resource_link", uri: String(block.uri ?? "") };
      for (const key of ["name", "title", "description", "mimeType"]) {
        if (typeof block[key] === "string") described[key] = block[key];
      }
      return described;
    }
    default:
      return {
        type: typeof block.type === "string" ? block.type : "unknown",
        note: "content of a kind codemode does not know; not passed to Python",
      } satisfies DescribedContent;
  }
}

/** JSON text as its value (objects, arrays, numbers, ...); any other text as the string. */
function parseJsonText(text: string): unknown {
  const t = text.trim();
  if (t === "") return text;
  const first = t[0]!;
  if (
    first === "{" ||
    first === "[" ||
    first === '"' ||
    t === "true" ||
    t === "false" ||
    t === "null" ||
    /^-?\d/.test(t)
  ) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}

/** Decoded size of base64 data, without decoding it. */
function base64Bytes(data: unknown): number {
  if (typeof data !== "string") return 0;
  const clean = data.replace(/\s+/g, "");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}
