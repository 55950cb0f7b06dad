/**
 * The page and the browser libraries it uses, served from disk: the page from
 * `src/server/page/` under the package root (the same folder whether this file runs from
 * `src/` through tsx or from `dist/`), the libraries from their npm packages, so nothing
 * is fetched from a CDN.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

export interface Asset {
  body: string;
  contentType: string;
}

let root: string | undefined;

/** The folder holding codemode's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name;
      if (name === "codemode") {
        root = dir;
        return dir;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("codemode: cannot find the package root for the page");
    dir = parent;
  }
}

export function pageFolder(): string {
  return join(packageRoot(), "src", "server", "page");
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * The page's own files, by name; anything else is not served. The page's script is ES
 * modules (`app.js` imports the rest); `types.js` holds JSDoc types only and is not served.
 */
const PAGE_FILES = [
  "index.html",
  "app.css",
  "messages.css",
  "answer.css",
  "favicon.svg",
  "chart-frame.js",
  "app.js",
  "answer-view.js",
  "answer-parts.js",
  "answer-end.js",
  "approval-card.js",
  "charts.js",
  "dom.js",
  "notices.js",
  "storage.js",
  "stream.js",
  "tool-panel.js",
];

/** Browser libraries, by the URL name the page uses. */
const VENDOR: Record<string, () => string> = {
  "chart.umd.js": () => read(join(dirname(require.resolve("chart.js")), "chart.umd.js")),
  "marked.umd.js": () =>
    read(join(dirname(require.resolve("marked/package.json")), "lib", "marked.umd.js")),
  "purify.min.js": () => read(require.resolve("dompurify/dist/purify.min.js")),
  // highlight.js ships CommonJS only; wrap core + Python + JSON into one browser script.
  "highlight.js": () => {
    const base = dirname(require.resolve("highlight.js/package.json"));
    const wrap = (file: string, then: string) =>
      `(function(){var module={exports:{}};var exports=module.exports;\n${read(join(base, "lib", file))}\n${then}})();`;
    return [
      wrap("core.js", "window.hljs=module.exports;"),
      wrap("languages/python.js", "window.hljs.registerLanguage('python',module.exports);"),
      wrap("languages/json.js", "window.hljs.registerLanguage('json',module.exports);"),
    ].join("\n");
  },
};

const cache = new Map<string, Asset>();

/** A page file (`app.js`) or a vendor library (`vendor/chart.umd.js`); undefined if unknown. */
export function loadAsset(name: string): Asset | undefined {
  const cached = cache.get(name);
  if (cached) return cached;
  let asset: Asset | undefined;
  if (name.startsWith("vendor/")) {
    const load = VENDOR[name.slice("vendor/".length)];
    if (load) asset = { body: load(), contentType: TYPES[".js"]! };
  } else if (PAGE_FILES.includes(name)) {
    const ext = name.slice(name.lastIndexOf("."));
    asset = { body: read(join(pageFolder(), name)), contentType: TYPES[ext] ?? "text/plain" };
  }
  // The page is re-read on every request while developing it through tsx.
  if (asset && !import.meta.url.includes("/src/server/")) cache.set(name, asset);
  return asset;
}

function read(path: string): string {
  return readFileSync(path, "utf8");
}
