#!/usr/bin/env node
// Prints the largest functions and files under src/ (the chat page's .js included), so
// the redesign's measure ("no function over ~120 lines, no page file over ~450") is one
// command: `node scripts/largest-functions.mjs [--top N] [--max-lines 120]`.
// Exits 1 when a function is over --max-lines, so it can guard CI if wanted.
//
// A function's size is its lines, first to last. Its "own" lines (in brackets) leave out
// the functions nested in it that are over 20 lines: a factory handing back a few named
// closures is then seen by its own body too, each closure being listed on its own.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const top = option("--top", 15);
const maxLines = option("--max-lines", Number.POSITIVE_INFINITY);
const NESTED_OWN_FUNCTION = 20;

const root = new URL("..", import.meta.url).pathname;
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) files.push(path);
  }
})(join(root, "src"));

const functions = [];
const fileSizes = [];
for (const path of files) {
  const text = readFileSync(path, "utf8");
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line;
  fileSizes.push({ file: relative(root, path), lines: text.split("\n").length });

  const visit = (node, enclosing) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart()) + 1;
      const entry = {
        file: relative(root, path),
        line: lineOf(node.getStart()) + 1,
        name: nameOf(node),
        lines,
        own: lines,
      };
      functions.push(entry);
      if (enclosing && lines > NESTED_OWN_FUNCTION) enclosing.own -= lines;
      ts.forEachChild(node, (child) => visit(child, entry));
      return;
    }
    ts.forEachChild(node, (child) => visit(child, enclosing));
  };
  visit(source, undefined);
}

function nameOf(node) {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent))
  ) {
    return parent.name.getText();
  }
  if (parent && ts.isCallExpression(parent))
    return `(callback of ${parent.expression.getText().slice(0, 40)})`;
  return "(anonymous)";
}

functions.sort((a, b) => b.lines - a.lines);
fileSizes.sort((a, b) => b.lines - a.lines);
console.log(`largest functions (lines; own lines in brackets), of ${functions.length}:`);
for (const f of functions.slice(0, top))
  console.log(`  ${String(f.lines).padStart(4)} [${f.own}]  ${f.name}  ${f.file}:${f.line}`);
console.log(`largest files, of ${fileSizes.length}:`);
for (const f of fileSizes.slice(0, top)) console.log(`  ${String(f.lines).padStart(4)}  ${f.file}`);
const page = fileSizes.filter((f) => f.file.startsWith("src/server/page/"));
if (page.length > 0) console.log(`largest page file: ${page[0].lines} ${page[0].file}`);

const over = functions.filter((f) => f.lines > maxLines);
if (over.length > 0) {
  console.error(`${over.length} function(s) over ${maxLines} lines`);
  process.exit(1);
}
