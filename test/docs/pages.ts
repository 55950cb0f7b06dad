/** The code blocks our pages show: every ```ts fence of README.md and docs/*.md. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "../..");

export interface Snippet {
  /** `<page>:<line>`, the line its fence opens on. */
  name: string;
  /** A module file name for it: `<page>_<line>.ts`. */
  file: string;
  code: string;
  /** Fenced ```ts norun: shown, type-checked, not run. */
  norun: boolean;
}

/** The ```ts blocks of one page (a path relative to the repository), in order. */
export function snippets(page: string): Snippet[] {
  const text = readFileSync(join(ROOT, page), "utf8");
  const found: Snippet[] = [];
  const fence = /^```ts([ \t]+norun)?[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    const line = text.slice(0, match.index).split("\n").length;
    const file = `${page.replace(/\W/g, "_")}_${line}.ts`;
    found.push({ name: `${page}:${line}`, file, code: match[2]!, norun: match[1] !== undefined });
  }
  return found;
}

/** README.md and every docs/*.md page. */
export function allPages(): string[] {
  const docs = readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md"));
  return ["README.md", ...docs.sort().map((name) => `docs/${name}`)];
}
