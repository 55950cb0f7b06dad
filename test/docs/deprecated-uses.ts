/**
 * Where our own code uses a name we marked `@deprecated`: one TypeScript program over src/,
 * examples/ and the pages' ```ts blocks (as virtual files next to their page), walked with
 * the type checker. TypeScript's own deprecation hints (6385/6387) cover reads such as
 * `options.maxTurns` but not the keys of an object literal (`new CodeModeAgent({ maxTurns })`),
 * the way options are written, so the walk checks four places:
 * - a property read (`options.maxTurns`),
 * - a key of an object literal, against the type the literal is written for,
 * - each property a spread brings into such a literal under a deprecated name, unless the
 *   spread value's own type declares it deprecated (then it only passes it on),
 * - a key destructured from a value (`const { maxTurns } = options`).
 * Only declarations under src/ count: a dependency's deprecations are its own business.
 */
import { join, relative } from "node:path";
import ts from "typescript";
import { allPages, ROOT, snippets } from "./pages.js";

export interface DeprecatedUse {
  /** `path:line`, the path relative to the repository (a page's block: `<page>:<line>`). */
  where: string;
  name: string;
}

const SRC = `${join(ROOT, "src")}/`;

function isOurDeprecated(symbol: ts.Symbol | undefined): boolean {
  return (symbol?.declarations ?? []).some(
    (declaration) =>
      declaration.getSourceFile().fileName.startsWith(SRC) &&
      ts.getJSDocDeprecatedTag(declaration) !== undefined,
  );
}

/** The property `name` of `type` (of any member of a union) is one of our deprecated ones. */
function deprecatedIn(checker: ts.TypeChecker, type: ts.Type | undefined, name: string): boolean {
  if (!type) return false;
  const members = type.isUnion() ? type.types : [type];
  return members.some((member) => isOurDeprecated(checker.getPropertyOfType(member, name)));
}

function propertyName(name: ts.PropertyName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) {
    return name.text;
  }
  return undefined;
}

/** The deprecated names `node` uses, each with the node to report it at. */
function usesAt(checker: ts.TypeChecker, node: ts.Node): [ts.Node, string][] {
  if (ts.isPropertyAccessExpression(node)) {
    return isOurDeprecated(checker.getSymbolAtLocation(node.name))
      ? [[node.name, node.name.text]]
      : [];
  }
  if (ts.isObjectLiteralExpression(node)) {
    const target = checker.getContextualType(node);
    if (!target) return [];
    const found: [ts.Node, string][] = [];
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = checker.getTypeAtLocation(property.expression);
        for (const brought of checker.getPropertiesOfType(spread)) {
          // A value typed with the deprecated name passes it through: the use is where it was set.
          if (isOurDeprecated(brought)) continue;
          if (deprecatedIn(checker, target, brought.name)) found.push([property, brought.name]);
        }
        continue;
      }
      const name = propertyName(property.name);
      if (name !== undefined && deprecatedIn(checker, target, name)) found.push([property, name]);
    }
    return found;
  }
  if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
    const name = propertyName(node.propertyName ?? (node.name as ts.PropertyName));
    const source = checker.getTypeAtLocation(node.parent);
    return name !== undefined && deprecatedIn(checker, source, name) ? [[node, name]] : [];
  }
  return [];
}

/**
 * Every use of one of our deprecated names in src/, examples/ and the pages' code blocks,
 * except in `allowed` files (paths relative to the repository): the ones that read the
 * aliases on purpose, to resolve or refuse them.
 */
export function deprecatedUses(allowed: ReadonlySet<string>): DeprecatedUse[] {
  const config = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const ours = parsed.fileNames.filter((file) => /^(src|examples)\//.test(relative(ROOT, file)));
  // Each block is a virtual file beside its page, named <page>_<line>.ts; `codemode` resolves
  // to src/ through tsconfig's paths.
  const blocks = new Map<string, { name: string; code: string }>();
  for (const page of allPages()) {
    for (const block of snippets(page)) {
      blocks.set(join(ROOT, "docs", block.file), { name: block.name, code: block.code });
    }
  }
  const host = ts.createCompilerHost(parsed.options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => blocks.has(file) || fileExists.call(host, file);
  host.readFile = (file) => blocks.get(file)?.code ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const block = blocks.get(file);
    return block
      ? ts.createSourceFile(file, block.code, language, true)
      : getSourceFile.call(host, file, language, ...rest);
  };
  const program = ts.createProgram({
    rootNames: [...ours, ...blocks.keys()],
    options: { ...parsed.options, noEmit: true },
    host,
  });
  const checker = program.getTypeChecker();
  const found: DeprecatedUse[] = [];
  for (const file of [...ours, ...blocks.keys()]) {
    const path = relative(ROOT, file);
    if (allowed.has(path)) continue;
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${path}: not in the program`);
    const visit = (node: ts.Node): void => {
      for (const [at, name] of usesAt(checker, node)) {
        const line = source.getLineAndCharacterOfPosition(at.getStart(source)).line;
        const block = blocks.get(file);
        // A block's line: its fence's line plus the line inside the block.
        const where = block
          ? `${block.name.replace(/:(\d+)$/, (_, fence) => `:${Number(fence) + 1 + line}`)}`
          : `${path}:${line + 1}`;
        found.push({ where, name });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
