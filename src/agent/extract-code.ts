/**
 * Pulls the Python program out of a model's reply. Real models wrap code in prose,
 * use ```python, ```py or ```Python fences, send several blocks, CRLF line ends, or
 * forget the closing fence. Never throws.
 */
const FENCE = /^[ \t]*(```+|~~~+)[ \t]*([\w+#.-]*)[^\n]*$/;
const PYTHON_TAGS = new Set(["python", "py", "python3", "py3"]);

interface Block {
  tag: string;
  body: string;
}

/**
 * The first ```python (or ```py) block; else the first untagged block; else the whole
 * reply, stripped. An unclosed last fence runs to the end of the reply.
 */
export function extractCode(reply: string): string {
  const text = asText(reply).replace(/\r\n?/g, "\n");
  const blocks = fencedBlocks(text);
  const python = blocks.find((b) => PYTHON_TAGS.has(b.tag));
  if (python) return python.body.trim();
  const untagged = blocks.find((b) => b.tag === "");
  if (untagged) return untagged.body.trim();
  return text.trim();
}

/**
 * The program in a reply of the turn loop, or `null` when the reply has no code block: then
 * it is the final answer in plain text. Only ```python (```py, ...) and untagged blocks are
 * code; a ```json or ```text block inside an answer is not.
 */
export function findCode(reply: string): string | null {
  const blocks = fencedBlocks(asText(reply).replace(/\r\n?/g, "\n"));
  const block = blocks.find((b) => PYTHON_TAGS.has(b.tag)) ?? blocks.find((b) => b.tag === "");
  return block ? block.body.trim() : null;
}

function fencedBlocks(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let open: { fence: string; tag: string; lines: string[] } | undefined;
  for (const line of lines) {
    const match = FENCE.exec(line);
    if (open) {
      // A closing fence is the same character, at least as long, with nothing after it.
      if (
        match &&
        match[1]!.startsWith(open.fence) &&
        match[2] === "" &&
        line.trim() === match[1]
      ) {
        blocks.push({ tag: open.tag, body: open.lines.join("\n") });
        open = undefined;
      } else {
        open.lines.push(line);
      }
    } else if (match) {
      open = { fence: match[1]!, tag: match[2]!.toLowerCase(), lines: [] };
    }
  }
  if (open) blocks.push({ tag: open.tag, body: open.lines.join("\n") });
  return blocks;
}

/** The reply as text. A custom `callLlm` may hand over anything, even an object whose `toString` throws. */
function asText(reply: unknown): string {
  if (typeof reply === "string") return reply;
  if (reply === null || reply === undefined) return "";
  try {
    return String(reply);
  } catch {
    return "";
  }
}
