/**
 * One call's HTTP request from validated arguments: path parameters encoded into the path
 * template, query parameters serialised by their style (arrays `form`/`explode` by
 * default: `?tag=a&tag=b`), header parameters beside the configured headers, and the body
 * as JSON.
 */
import { isPlainObject } from "../plain-object.js";
import type { ArgumentBinding } from "./parameters.js";
import type { Credentials } from "./security.js";

export interface RequestPlan {
  readonly method: string;
  /** The path template, `/pets/{petId}`. */
  readonly path: string;
  readonly bindings: readonly ArgumentBinding[];
  readonly contentType?: string | undefined;
}

export interface BuiltRequest {
  readonly url: URL;
  readonly init: { method: string; headers: Headers; body?: string };
}

/**
 * The request for `input` (keyed by Python argument name). `baseUrl` is prefixed to the
 * path as it is (`https://api.example.com/v2` + `/pets`); `headers` are sent first, and a
 * header parameter the program passes overrides the one with the same name.
 */
export function buildRequest(
  plan: RequestPlan,
  input: Readonly<Record<string, unknown>>,
  baseUrl: string,
  headers: Readonly<Record<string, string>>,
): BuiltRequest {
  let path = plan.path;
  const query: [string, string][] = [];
  const sent = new Headers(headers);
  sent.set("accept", "application/json");
  let body: Record<string, unknown> | undefined;
  let wholeBody: unknown;
  let hasWholeBody = false;
  for (const binding of plan.bindings) {
    if (!Object.hasOwn(input, binding.python)) continue;
    const value = input[binding.python];
    if (
      value === undefined ||
      (value === null && binding.in !== "body-property" && binding.in !== "body")
    ) {
      continue;
    }
    switch (binding.in) {
      case "path":
        path = path.split(`{${binding.name}}`).join(pathValue(binding, value));
        break;
      case "query":
        query.push(...queryPairs(binding, value));
        break;
      case "header":
        sent.set(
          binding.name,
          binding.json ? JSON.stringify(value) : simple(value, binding.explode),
        );
        break;
      case "body-property":
        body ??= {};
        body[binding.name] = value;
        break;
      case "body":
        wholeBody = value;
        hasWholeBody = true;
        break;
    }
  }
  const url = new URL(joinUrl(baseUrl, path));
  for (const [key, value] of query) url.searchParams.append(key, value);
  spacesAsPercent20(url);
  const init: BuiltRequest["init"] = { method: plan.method.toUpperCase(), headers: sent };
  if (hasWholeBody || body !== undefined) {
    sent.set("content-type", plan.contentType ?? "application/json");
    init.body = JSON.stringify(hasWholeBody ? wholeBody : body);
  }
  return { url, init };
}

/**
 * The request with the call's credentials placed: headers (except one the `headers`
 * option names: it wins), query pairs (replacing a pair of the same name the program
 * passed) and cookies (beside the `headers` option's `cookie`, which wins for a name it
 * already has).
 */
export function addCredentials(
  request: BuiltRequest,
  credentials: Credentials,
  explicit: Readonly<Record<string, string>>,
): BuiltRequest {
  const given = new Set(Object.keys(explicit).map((name) => name.toLowerCase()));
  const sent = request.init.headers;
  for (const [name, value] of credentials.headers) {
    if (!given.has(name.toLowerCase())) sent.set(name, value);
  }
  if (credentials.cookies.length > 0) {
    const jar = sent.get("cookie") ?? "";
    const has = cookieNames(jar);
    const added = credentials.cookies.filter(([name]) => !has.has(name));
    const pairs = added.map(([name, value]) => `${name}=${value}`);
    if (pairs.length > 0) sent.set("cookie", [jar, ...pairs].filter((p) => p !== "").join("; "));
  }
  if (credentials.query.length > 0) {
    const url = new URL(request.url);
    for (const [name, value] of credentials.query) {
      url.searchParams.delete(name);
      url.searchParams.append(name, value);
    }
    spacesAsPercent20(url);
    return { url, init: request.init };
  }
  return request;
}

/** The names in a `Cookie` header: `a=1; b=2` -> a, b. */
export function cookieNames(header: string | undefined): Set<string> {
  return new Set((header ?? "").split(";").map((part) => part.split("=")[0]!.trim()));
}

/** URLSearchParams writes spaces as "+"; "%20" is what every server reads as a space. */
function spacesAsPercent20(url: URL): void {
  url.search = url.search.replace(/\+/g, "%20");
}

/** An HTTP header name (RFC 9110 token): `Authorization`, `X-Api-Key`. */
export function isHeaderName(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
}

/** `https://host/v1/` + `/pets` -> `https://host/v1/pets` (never drops the base's path). */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** A path parameter, encoded so it stays one segment (`a/b` -> `a%2Fb`). */
function pathValue(binding: ArgumentBinding, value: unknown): string {
  if (binding.json) return encodeURIComponent(JSON.stringify(value));
  const encode = (v: unknown) => encodeURIComponent(scalar(v));
  const { name, explode } = binding;
  switch (binding.style) {
    case "label":
      if (Array.isArray(value)) return `.${value.map(encode).join(explode ? "." : ",")}`;
      if (isPlainObject(value)) {
        return `.${pairs(value)
          .map(([k, v]) => (explode ? `${encode(k)}=${encode(v)}` : `${encode(k)},${encode(v)}`))
          .join(explode ? "." : ",")}`;
      }
      return `.${encode(value)}`;
    case "matrix":
      if (Array.isArray(value)) {
        return explode
          ? value.map((v) => `;${name}=${encode(v)}`).join("")
          : `;${name}=${value.map(encode).join(",")}`;
      }
      if (isPlainObject(value)) {
        return explode
          ? pairs(value)
              .map(([k, v]) => `;${encode(k)}=${encode(v)}`)
              .join("")
          : `;${name}=${pairs(value)
              .flatMap(([k, v]) => [encode(k), encode(v)])
              .join(",")}`;
      }
      return `;${name}=${encode(value)}`;
    default:
      if (Array.isArray(value)) return value.map(encode).join(",");
      if (isPlainObject(value)) {
        return pairs(value)
          .map(([k, v]) => (explode ? `${encode(k)}=${encode(v)}` : `${encode(k)},${encode(v)}`))
          .join(",");
      }
      return encode(value);
  }
}

/** Query pairs by style: form (explode: repeated keys; else comma-joined), the delimited styles, deepObject. */
function queryPairs(binding: ArgumentBinding, value: unknown): [string, string][] {
  const { name, explode } = binding;
  if (binding.json) return [[name, JSON.stringify(value)]];
  if (Array.isArray(value)) {
    const items = value.map(scalar);
    if (binding.style === "spaceDelimited") return [[name, items.join(" ")]];
    if (binding.style === "pipeDelimited") return [[name, items.join("|")]];
    return explode ? items.map((v) => [name, v]) : [[name, items.join(",")]];
  }
  if (isPlainObject(value)) {
    if (binding.style === "deepObject") return pairs(value).map(([k, v]) => [`${name}[${k}]`, v]);
    return explode ? pairs(value) : [[name, pairs(value).flat().join(",")]];
  }
  return [[name, scalar(value)]];
}

/** A header value: arrays and objects comma-joined (`simple` style). */
function simple(value: unknown, explode: boolean): string {
  if (Array.isArray(value)) return value.map(scalar).join(",");
  if (isPlainObject(value)) {
    return pairs(value)
      .map(([k, v]) => (explode ? `${k}=${v}` : `${k},${v}`))
      .join(",");
  }
  return scalar(value);
}

function pairs(value: Record<string, unknown>): [string, string][] {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => [k, scalar(v)]);
}

/** A scalar as text: strings as they are, numbers and booleans as JSON, nested values as JSON. */
function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  if (value === null) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
