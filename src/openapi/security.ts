/**
 * Credentials from the document's security: `components.securitySchemes` read, the `auth`
 * option checked against them, each operation's `security` (else the document's) matched
 * with the credentials given, and at call time each chosen scheme's credential placed
 * where it says: a header, the query string or a cookie (basic and bearer in
 * `Authorization`). Credentials are secrets: no message here quotes one.
 */
import { errorText } from "../error-text.js";
import { InvalidOptionsError, ToolError } from "../errors.js";
import { isPlainObject } from "../plain-object.js";
import type { RawOperation } from "./operations.js";
import type { RefResolver } from "./refs.js";
import { cookieNames, isHeaderName } from "./request.js";

/**
 * A credential: the API key (`apiKey`), the token (`http` `bearer`, `oauth2`,
 * `openIdConnect`), or for `http` `basic` `{ username, password }` (or `"username:password"`).
 */
export type OpenApiCredential = string | { readonly username: string; readonly password: string };

/** A credential, or a function giving one before each call (sync or async), for tokens that expire. */
export type OpenApiCredentialSource =
  | OpenApiCredential
  | (() => OpenApiCredential | Promise<OpenApiCredential>);

/** Security scheme name (as in `components.securitySchemes`) -> its credential. */
export type OpenApiAuth = Readonly<Record<string, OpenApiCredentialSource>>;

/** How a scheme sends its credential, or why codemode cannot. */
type Scheme =
  | { readonly kind: "apiKey"; readonly in: "header" | "query" | "cookie"; readonly name: string }
  | { readonly kind: "basic" }
  /** `http` `bearer`, `oauth2`, `openIdConnect`: `Authorization: Bearer <token>`. */
  | { readonly kind: "bearer"; readonly type: string }
  /** `header`: one the `headers` option can send instead (an `http` scheme's Authorization). */
  | { readonly kind: "unsupported"; readonly why: string; readonly header?: string };

type Sendable = Exclude<Scheme, { kind: "unsupported" }>;

/** One scheme an operation's calls send, with its credential. */
export interface AppliedScheme {
  readonly name: string;
  readonly scheme: Sendable;
  readonly credential: OpenApiCredentialSource;
}

/** What an operation sends: its schemes' credentials (none when it needs none or they are missing). */
export type OperationSecurity = readonly AppliedScheme[];

/** The credentials of one call, ready to place, and the strings no message may show. */
export interface Credentials {
  readonly headers: readonly [string, string][];
  readonly query: readonly [string, string][];
  readonly cookies: readonly [string, string][];
  readonly secrets: readonly string[];
}

/** The `auth` option's shape (its names are checked once the document is read). */
export function checkAuth(auth: unknown): OpenApiAuth {
  if (auth === undefined) return Object.freeze({});
  if (!isPlainObject(auth)) {
    throw new InvalidOptionsError(
      'openApiTools({ auth }) must be a record from security scheme name to credential, such as { bearerAuth: process.env.API_TOKEN } or { basicAuth: { username: "...", password: "..." } }.',
    );
  }
  for (const [name, value] of Object.entries(auth)) {
    if (typeof value === "function") continue;
    const problem = credentialShape(value);
    if (problem) {
      const unset = /^is (empty|undefined|null)$/.test(problem);
      throw new InvalidOptionsError(
        `openApiTools({ auth }): the credential for "${printable(name)}" ${problem}${unset ? " (is its environment variable set?)" : ""}.`,
      );
    }
  }
  return Object.freeze({ ...auth }) as OpenApiAuth;
}

/**
 * Reads the document's security schemes and checks `auth` against them: a name the
 * document does not define, or a credential of the wrong kind, is an InvalidOptionsError.
 * `lenient` (the command line, with several documents) leaves out names defined elsewhere.
 */
export class SecurityPlan {
  readonly schemes: ReadonlyMap<string, Scheme>;
  private readonly auth: OpenApiAuth;
  private readonly explicit: Readonly<Record<string, string>>;
  private readonly required: readonly unknown[] | undefined;

  constructor(
    document: Readonly<Record<string, unknown>>,
    refs: RefResolver,
    given: { auth: OpenApiAuth; headers: Readonly<Record<string, string>>; lenient?: boolean },
  ) {
    this.schemes = readSchemes(document, refs);
    this.explicit = given.headers;
    this.required = Array.isArray(document.security) ? document.security : undefined;
    const auth: Record<string, OpenApiCredentialSource> = {};
    for (const [name, credential] of Object.entries(given.auth)) {
      const scheme = this.schemes.get(name);
      if (scheme === undefined) {
        if (given.lenient) continue;
        throw new InvalidOptionsError(unknownSchemeMessage([name], [...this.schemes.keys()]));
      }
      if (scheme.kind === "unsupported") {
        throw new InvalidOptionsError(
          `openApiTools({ auth }): the scheme "${name}" is ${scheme.why}; leave it out of auth.`,
        );
      }
      const problem = typeof credential === "function" ? undefined : misfit(credential, scheme);
      if (problem) {
        throw new InvalidOptionsError(
          `openApiTools({ auth }): the credential for "${name}" (${describe(scheme)}) ${problem}.`,
        );
      }
      auth[name] = credential;
    }
    this.auth = auth;
  }

  /**
   * The schemes an operation's calls send: the first alternative of its `security` (else
   * the document's) whose every scheme has a credential in `auth` or a header in
   * `headers`; an empty alternative (`{}`, auth optional) only when none is. `unmet` lists
   * the alternatives (scheme names) when the operation asks for credentials nobody gave.
   */
  forOperation(raw: RawOperation): { applied: OperationSecurity; unmet?: string[][] } {
    const own = raw.operation.security;
    const required = Array.isArray(own) ? own : this.required;
    const alternatives = (required ?? []).filter(isPlainObject).map((a) => Object.keys(a));
    if (alternatives.length === 0) return { applied: [] };
    const met = alternatives.find((names) => names.length > 0 && names.every((n) => this.has(n)));
    if (met) return { applied: met.flatMap((name) => this.applied(name)) };
    if (alternatives.some((names) => names.length === 0)) return { applied: [] };
    return { applied: [], unmet: alternatives };
  }

  /** `bearerAuth (http bearer)`, `mtls (mutualTLS, which codemode cannot send)`. */
  describe(name: string): string {
    const scheme = this.schemes.get(name);
    if (scheme === undefined) return `${name} (not in components.securitySchemes)`;
    return `${name} (${scheme.kind === "unsupported" ? scheme.why : describe(scheme)})`;
  }

  private has(name: string): boolean {
    const scheme = this.schemes.get(name);
    if (scheme === undefined) return false;
    if (scheme.kind === "unsupported") return !!scheme.header && !!this.header(scheme.header);
    return Object.hasOwn(this.auth, name) || this.inHeaders(scheme);
  }

  /** The scheme with its credential; none when `headers` already carries it. */
  private applied(name: string): AppliedScheme[] {
    const scheme = this.schemes.get(name) as Sendable;
    if (!Object.hasOwn(this.auth, name) || this.inHeaders(scheme)) return [];
    return [{ name, scheme, credential: this.auth[name]! }];
  }

  /** Whether the `headers` option already sends what the scheme would (it wins, see docs). */
  private inHeaders(scheme: Sendable): boolean {
    if (scheme.kind === "basic" || scheme.kind === "bearer") return !!this.header("authorization");
    if (scheme.in === "header") return !!this.header(scheme.name);
    if (scheme.in === "cookie") return cookieNames(this.header("cookie")).has(scheme.name);
    return false;
  }

  /** The `headers` option's value for a header name, whatever its case. */
  private header(name: string): string | undefined {
    const wanted = name.toLowerCase();
    return Object.entries(this.explicit).find(([key]) => key.toLowerCase() === wanted)?.[1];
  }
}

/** The warning for operations that will be sent without the credentials they ask for. */
export function unmetWarning(
  label: string,
  plan: SecurityPlan,
  unmet: readonly { operation: string; alternatives: string[][] }[],
): string {
  const groups = new Map<string, string[]>();
  for (const { operation, alternatives } of unmet) {
    const text = alternatives
      .map((names) => names.map((n) => plan.describe(n)).join(" and "))
      .join(", or ");
    groups.set(text, [...(groups.get(text) ?? []), operation]);
  }
  const lines = [...groups].map(([needs, operations]) => {
    const shown = operations.slice(0, 8).join(", ");
    const more = operations.length > 8 ? ` and ${operations.length - 8} more` : "";
    return `  - ${shown}${more}: ${needs}`;
  });
  return (
    `codemode: openApiTools(${label}): ${unmet.length} operation(s) need credentials that were not given, so they are sent without (the API's 401 reaches the program as PermissionError). ` +
    'Pass them as openApiTools({ auth: { <scheme>: "..." } }) (--openapi-auth <scheme>=... on the command line):\n' +
    lines.join("\n")
  );
}

/** `auth` names no document defines: the message, listing the names it has. */
export function unknownSchemeMessage(names: readonly string[], known: readonly string[]): string {
  const list = names.map((n) => JSON.stringify(printable(n))).join(", ");
  const has =
    known.length > 0
      ? `its security schemes are ${known.map((n) => JSON.stringify(n)).join(", ")}`
      : "it defines no security schemes (components.securitySchemes)";
  return `openApiTools({ auth }) names ${list}, which the document does not define: ${has}.`;
}

/**
 * The credentials of one call: functions called, values checked, each placed as its scheme
 * says. A function that throws or gives a wrong value is a PermissionError naming the scheme.
 */
export async function callCredentials(
  applied: OperationSecurity,
  where: string,
): Promise<Credentials> {
  const out: Placed = { headers: [], query: [], cookies: [], secrets: [] };
  for (const { name, scheme, credential } of applied) {
    let value: unknown = credential;
    if (typeof credential === "function") {
      try {
        value = await credential();
      } catch (error) {
        throw new ToolError(
          `${where} was not sent: the host's credential for "${name}" could not be obtained (${errorText(error)})`,
          { pythonType: "PermissionError", cause: error },
        );
      }
      const problem = credentialShape(value) ?? misfit(value as OpenApiCredential, scheme);
      if (problem) {
        throw new ToolError(
          `${where} was not sent: the host's credential function for "${name}" gave a value that cannot be sent (it ${problem})`,
          { pythonType: "PermissionError" },
        );
      }
    }
    place(out, scheme, value as OpenApiCredential);
  }
  return out;
}

/** A message with every secret of the call replaced by `[redacted]` (a server may echo one). */
export function redact(message: string, secrets: readonly string[]): string {
  let text = message;
  for (const secret of secrets) {
    if (secret !== "") text = text.split(secret).join("[redacted]");
  }
  return text;
}

/** `Credentials` while one call's are being placed. */
interface Placed {
  headers: [string, string][];
  query: [string, string][];
  cookies: [string, string][];
  secrets: string[];
}

function place(out: Placed, scheme: Sendable, credential: OpenApiCredential): void {
  const { secrets } = out;
  if (scheme.kind === "basic") {
    const [username, password] =
      typeof credential === "string"
        ? splitOnce(credential, ":")
        : [credential.username, credential.password];
    const encoded = Buffer.from(`${username}:${password}`, "utf8").toString("base64");
    out.headers.push(["authorization", `Basic ${encoded}`]);
    secrets.push(encoded, password);
    return;
  }
  const token = credential as string;
  secrets.push(token);
  if (scheme.kind === "bearer") {
    out.headers.push(["authorization", `Bearer ${token}`]);
  } else if (scheme.in === "header") {
    out.headers.push([scheme.name, token]);
  } else if (scheme.in === "query") {
    out.query.push([scheme.name, token]);
  } else {
    out.cookies.push([scheme.name, token]);
  }
}

function readSchemes(
  document: Readonly<Record<string, unknown>>,
  refs: RefResolver,
): Map<string, Scheme> {
  const components = isPlainObject(document.components) ? document.components : {};
  const declared = isPlainObject(components.securitySchemes) ? components.securitySchemes : {};
  const schemes = new Map<string, Scheme>();
  for (const [name, value] of Object.entries(declared)) {
    try {
      const { value: scheme } = refs.follow(
        value,
        `#/components/securitySchemes/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`,
      );
      schemes.set(name, readScheme(scheme));
    } catch (error) {
      schemes.set(name, { kind: "unsupported", why: `unreadable (${errorText(error)})` });
    }
  }
  return schemes;
}

function readScheme(scheme: Record<string, unknown>): Scheme {
  const type = typeof scheme.type === "string" ? scheme.type : "";
  if (type === "apiKey") {
    const where = scheme.in;
    if (typeof scheme.name !== "string" || scheme.name === "") {
      return { kind: "unsupported", why: 'an apiKey without a "name"' };
    }
    if (where !== "header" && where !== "query" && where !== "cookie") {
      return { kind: "unsupported", why: `an apiKey "in" ${JSON.stringify(where)}` };
    }
    if (where === "header" && !isHeaderName(scheme.name)) {
      return { kind: "unsupported", why: "an apiKey whose header name is not valid" };
    }
    return { kind: "apiKey", in: where, name: scheme.name };
  }
  if (type === "http") {
    const name = typeof scheme.scheme === "string" ? scheme.scheme.toLowerCase() : "";
    if (name === "basic") return { kind: "basic" };
    if (name === "bearer") return { kind: "bearer", type: "http bearer" };
    return {
      kind: "unsupported",
      why: `http ${name || "without a scheme"}, which codemode cannot send (it sends basic and bearer): pass its Authorization header in headers`,
      header: "authorization",
    };
  }
  if (type === "oauth2" || type === "openIdConnect") return { kind: "bearer", type };
  return {
    kind: "unsupported",
    why: `${type || "a scheme without a type"}, which codemode cannot send${type === "mutualTLS" ? ": give openApiTools a fetch that presents the client certificate" : ""}`,
  };
}

function describe(scheme: Sendable): string {
  if (scheme.kind === "basic") return "http basic: { username, password }";
  if (scheme.kind === "bearer") return `${scheme.type}: the token`;
  return `apiKey in the ${scheme.in} "${scheme.name}"`;
}

/** What is wrong with a credential whatever its scheme, without quoting it. */
function credentialShape(value: unknown): string | undefined {
  if (value === undefined || value === null) {
    return `is ${String(value)}`;
  }
  if (typeof value === "string") {
    if (value === "") return "is empty";
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (/[\x00-\x1f\x7f]/.test(value)) return "holds a line break or another control character";
    return undefined;
  }
  if (
    isPlainObject(value) &&
    typeof value.username === "string" &&
    typeof value.password === "string"
  ) {
    return undefined;
  }
  return "must be a string (a key or a token), { username, password }, or a function giving one";
}

/** What is wrong with a credential for this scheme, without quoting it. */
function misfit(credential: OpenApiCredential, scheme: Sendable): string | undefined {
  if (scheme.kind === "basic") {
    if (typeof credential === "string") {
      return credential.includes(":")
        ? undefined
        : 'must be { username, password } or "username:password"';
    }
    return credential.username.includes(":") ? "has a colon in its username" : undefined;
  }
  return typeof credential === "string" ? undefined : "must be a string";
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + separator.length)];
}

/** A name safe to print: other characters as `?`. */
export function printable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, "?");
}
