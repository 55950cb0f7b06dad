/**
 * `openApiTools({ auth })` against a live API on loopback whose document declares its
 * security schemes: each credential arrives where its scheme says (header, query, cookie,
 * bearer, basic, oauth2), `security: []` sends none, the first alternative the credentials
 * cover is used, `headers` win over a scheme's header, a function credential is asked
 * before each call; operations asking for credentials nobody gave are sent without, with
 * one warning; a bad `auth` is an InvalidOptionsError; and no secret reaches the program's
 * values, the tool-call records, an error message or the prompt.
 */
import { execute, InvalidOptionsError, pythonToolListing } from "codemode";
import { type OpenApiAuth, type OpenApiToolsOptions, openApiTools } from "codemode/openapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SECRETS, type SecuredApi, startSecuredApi } from "./secured-api.js";

const ALL: OpenApiAuth = {
  headerKey: SECRETS.headerKey,
  queryKey: SECRETS.queryKey,
  cookieKey: SECRETS.cookieKey,
  bearerAuth: SECRETS.bearer,
  basicAuth: { username: SECRETS.username, password: SECRETS.password },
  oauth: SECRETS.oauth,
};

const BASIC = `Basic ${Buffer.from(`${SECRETS.username}:${SECRETS.password}`).toString("base64")}`;

/** Every form a secret could leak in: as given, and basic's encoded header value. */
const LEAKABLE = [...Object.values(SECRETS).filter((s) => s !== SECRETS.username), BASIC];

/** A program calling each tool in turn, going on past a refusal (a 401 the test wants). */
function callEach(...calls: string[]): string {
  return calls.map((call) => `try:\n    ${call}\nexcept PermissionError:\n    pass`).join("\n");
}

function expectNoSecret(text: string): void {
  for (const secret of LEAKABLE) expect(text).not.toContain(secret.replace(/^Basic /, ""));
}

describe("openApiTools({ auth }) over a live API with security schemes", () => {
  let api: SecuredApi;
  const warnings: string[] = [];
  const toolsWith = (options: OpenApiToolsOptions) =>
    openApiTools(api.document, { onWarning: (m) => warnings.push(m), ...options });
  beforeAll(async () => {
    api = await startSecuredApi();
  });
  afterAll(() => api?.close());
  beforeEach(() => {
    api.requests.length = 0;
    warnings.length = 0;
  });

  it("sends each credential where its scheme says, and none where security is []", async () => {
    const tools = await toolsWith({ auth: ALL, include: (op) => op.path !== "/by-mtls" });
    const result = await execute(
      [
        "[me()['route'], public_info()['route'], by_header()['route'],",
        " by_query(q='a b')['route'], by_cookie()['route'], by_basic()['route'],",
        " by_oauth()['route']]",
      ].join("\n"),
      { tools },
    );
    expect(result).toMatchObject({
      ok: true,
      value: ["/me", "/public", "/by-header", "/by-query", "/by-cookie", "/by-basic", "/by-oauth"],
    });
    const [me, pub, header, query, cookie, basic, oauth] = api.requests;
    expect(me!.headers.authorization).toBe(`Bearer ${SECRETS.bearer}`);
    // security: [] sends nothing, although a bearer token was given.
    expect(pub!.headers.authorization).toBeUndefined();
    expect(pub!.url).toBe("/public");
    expect(header!.headers["x-api-key"]).toBe(SECRETS.headerKey);
    expect(header!.headers.authorization).toBeUndefined();
    expect(query!.url).toBe(`/by-query?q=a%20b&api_key=${SECRETS.queryKey}`);
    expect(cookie!.headers.cookie).toBe(`session=${SECRETS.cookieKey}`);
    expect(basic!.headers.authorization).toBe(BASIC);
    expect(oauth!.headers.authorization).toBe(`Bearer ${SECRETS.oauth}`);
    // Each operation sends only its own scheme.
    expect(me!.headers["x-api-key"]).toBeUndefined();
    expect(me!.url).toBe("/me");
    // Nothing was left unmet (mtls was not included), so nothing was said.
    expect(warnings).toEqual([]);
    // The secrets stay on the host: not in the value, the records or the prompt.
    expectNoSecret(JSON.stringify(result));
    expectNoSecret(pythonToolListing(tools));
    expectNoSecret(JSON.stringify(tools.map((t) => [t.description, t.inputSchema])));
  });

  it("uses the first alternative whose every scheme has a credential", async () => {
    const both = await toolsWith({ auth: ALL, include: ["either"] });
    expect(await execute("either()['route']", { tools: both })).toMatchObject({ ok: true });
    expect(api.requests[0]!.headers["x-api-key"]).toBe(SECRETS.headerKey);
    expect(api.requests[0]!.url).toBe(`/either?api_key=${SECRETS.queryKey}`);
    expect(api.requests[0]!.headers.authorization).toBeUndefined();

    // Only one of the first alternative's two keys: the second alternative (basic) is used.
    const { queryKey: _, ...withoutQueryKey } = ALL;
    const basicOnly = await toolsWith({ auth: withoutQueryKey, include: ["either"] });
    expect(await execute("either()['route']", { tools: basicOnly })).toMatchObject({ ok: true });
    expect(api.requests[1]!.headers.authorization).toBe(BASIC);
    expect(api.requests[1]!.headers["x-api-key"]).toBeUndefined();
    expect(api.requests[1]!.url).toBe("/either");

    // `{}` among the alternatives: the key when it is given, else nothing and no warning.
    const optional = await toolsWith({ auth: { headerKey: SECRETS.headerKey } });
    const anonymous = await toolsWith({ include: ["optional"] });
    await execute("optional()", { tools: optional });
    await execute("optional()", { tools: anonymous });
    expect(api.requests.slice(2).map((r) => r.headers["x-api-key"])).toEqual([
      SECRETS.headerKey,
      undefined,
    ]);
    expect(warnings.filter((w) => w.includes("optional"))).toEqual([]);
  });

  it("sends an operation whose credentials are missing without them, warns once, and the 401 is a PermissionError", async () => {
    const tools = await toolsWith({ auth: { bearerAuth: SECRETS.bearer } });
    expect(warnings).toHaveLength(1);
    const warning = warnings[0]!;
    expect(warning).toContain("8 operation(s) need credentials that were not given");
    expect(warning).toContain("--openapi-auth");
    expect(warning).toContain('  - byHeader: headerKey (apiKey in the header "X-API-Key")\n');
    expect(warning).toContain(
      '  - byQuery, echoDenied: queryKey (apiKey in the query "api_key")\n',
    );
    expect(warning).toContain("  - byBasic: basicAuth (http basic: { username, password })");
    expect(warning).toContain(
      '  - either: headerKey (apiKey in the header "X-API-Key") and queryKey (apiKey in the query "api_key"), or basicAuth',
    );
    expect(warning).toMatch(/byMtls: mtls \(mutualTLS, which codemode cannot send/);
    // Covered operations and security: [] are not named.
    expect(warning).not.toMatch(/\bme\b|publicInfo|optional/);
    expectNoSecret(warning);

    const result = await execute(
      "try:\n    by_header()\n    r = 'ok'\nexcept PermissionError as e:\n    r = str(e)\nr",
      { tools },
    );
    expect(result).toMatchObject({
      ok: true,
      value: 'GET /by-header answered 401 Unauthorized: {"message":"missing or wrong credentials"}',
    });
    expect(api.requests[0]!.headers["x-api-key"]).toBeUndefined();
  });

  it("lets a header from `headers` win over the scheme's, and merges cookies", async () => {
    let asked = 0;
    const tools = await toolsWith({
      auth: { ...ALL, bearerAuth: () => `never-sent-${++asked}` },
      headers: { Authorization: "Bearer from-headers", Cookie: "theme=dark" },
      include: ["me", "byCookie"],
    });
    await execute(callEach("me()", "by_cookie()"), { tools });
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer from-headers",
      "Bearer from-headers",
    ]);
    expect(api.requests[1]!.headers.cookie).toBe(`theme=dark; session=${SECRETS.cookieKey}`);
    // The scheme `headers` covers is not even asked for its credential.
    expect(asked).toBe(0);
    // A scheme `headers` already sends is not reported as missing.
    const covered = await toolsWith({
      headers: { authorization: `Bearer ${SECRETS.bearer}` },
      include: ["me"],
    });
    expect(await execute("me()['route']", { tools: covered })).toMatchObject({ value: "/me" });
    expect(warnings).toEqual([]);
  });

  it("asks a function credential before each call, sync or async", async () => {
    let asked = 0;
    const tools = await toolsWith({
      auth: {
        bearerAuth: async () => `token-${++asked}`,
        headerKey: () => SECRETS.headerKey,
      },
      include: ["me", "byHeader"],
    });
    expect(asked).toBe(0);
    await execute(callEach("me()", "me()", "by_header()"), { tools });
    expect(asked).toBe(2);
    expect(api.requests.map((r) => r.headers.authorization ?? r.headers["x-api-key"])).toEqual([
      "Bearer token-1",
      "Bearer token-2",
      SECRETS.headerKey,
    ]);
  });

  it("does not send a call whose credential function fails or gives nothing usable", async () => {
    const failing = await toolsWith({
      auth: {
        bearerAuth: () => {
          throw new Error("token refresh failed: 400 invalid_grant");
        },
        headerKey: async () => "",
      },
      include: ["me", "byHeader"],
    });
    const result = await execute(
      [
        "out = []",
        "for f in (me, by_header):",
        "    try:",
        "        f()",
        "    except PermissionError as e:",
        "        out.append(str(e))",
        "out",
      ].join("\n"),
      { tools: failing },
    );
    expect(result).toMatchObject({
      ok: true,
      value: [
        'GET /me was not sent: the host\'s credential for "bearerAuth" could not be obtained (token refresh failed: 400 invalid_grant)',
        'GET /by-header was not sent: the host\'s credential function for "headerKey" gave a value that cannot be sent (it is empty)',
      ],
    });
    expect(api.requests).toEqual([]);
  });

  it("blanks a secret the server echoes out of the error message", async () => {
    const tools = await toolsWith({ auth: ALL, include: ["echoDenied"] });
    const result = await execute("echo_denied()", { tools });
    expect(result).toMatchObject({
      ok: false,
      error: {
        type: "PermissionError",
        message: expect.stringContaining(
          'GET /echo-denied answered 403 Forbidden: {"message":"key [redacted] may not do this"}',
        ),
      },
    });
    expect(api.requests[0]!.url).toBe(`/echo-denied?api_key=${SECRETS.queryKey}`);
    expectNoSecret(JSON.stringify(result));
  });

  it("refuses an auth naming no scheme, or a credential of the wrong kind, without quoting it", async () => {
    const refused = async (auth: unknown) => {
      const attempt = toolsWith({ auth: auth as OpenApiAuth });
      await expect(attempt).rejects.toBeInstanceOf(InvalidOptionsError);
      return ((await attempt.catch((e: unknown) => e)) as Error).message;
    };
    const unknown = await refused({ bearer: SECRETS.bearer });
    expect(unknown).toBe(
      'openApiTools({ auth }) names "bearer", which the document does not define: its security schemes are "headerKey", "queryKey", "cookieKey", "bearerAuth", "basicAuth", "oauth", "mtls".',
    );
    expect(await refused({ basicAuth: SECRETS.password })).toBe(
      'openApiTools({ auth }): the credential for "basicAuth" (http basic: { username, password }) must be { username, password } or "username:password".',
    );
    expect(await refused({ bearerAuth: { username: "a", password: SECRETS.password } })).toMatch(
      /"bearerAuth" \(http bearer: the token\) must be a string\.$/,
    );
    expect(await refused({ headerKey: "" })).toMatch(
      /"headerKey" is empty \(is its environment variable set\?\)/,
    );
    expect(await refused({ headerKey: `${SECRETS.headerKey}\n` })).toMatch(/holds a line break/);
    expect(await refused({ mtls: SECRETS.bearer })).toMatch(/"mtls" is mutualTLS, which codemode/);
    expect(await refused([SECRETS.bearer])).toMatch(/must be a record from security scheme name/);
    for (const auth of [{ basicAuth: SECRETS.password }, { headerKey: `${SECRETS.headerKey}\n` }]) {
      expectNoSecret(await refused(auth));
    }
    // "username:password" is basic's other spelling.
    const tools = await toolsWith({
      auth: { basicAuth: `${SECRETS.username}:${SECRETS.password}` },
      include: ["byBasic"],
    });
    expect(await execute("by_basic()['route']", { tools })).toMatchObject({ value: "/by-basic" });
    expect(api.requests[0]!.headers.authorization).toBe(BASIC);
  });
});

describe("schemes codemode cannot send", () => {
  const document = (scheme: Record<string, unknown>) => ({
    openapi: "3.0.3",
    info: { title: "Digest", version: "1" },
    servers: [{ url: "http://127.0.0.1:9" }],
    paths: { "/x": { get: { operationId: "getX", responses: { "204": { description: "ok" } } } } },
    components: { securitySchemes: { other: scheme } },
    security: [{ other: [] }],
  });

  it("warn (not throw) naming the scheme; an http one is covered by an Authorization header", async () => {
    const warnings: string[] = [];
    const onWarning = (m: string) => warnings.push(m);
    const tools = await openApiTools(document({ type: "http", scheme: "Digest" }), { onWarning });
    expect(tools.map((t) => t.name)).toEqual(["get_x"]);
    expect(warnings).toEqual([
      expect.stringContaining("  - getX: other (http digest, which codemode cannot send"),
    ]);
    await openApiTools(document({ type: "http", scheme: "Digest" }), {
      headers: { Authorization: "Digest username=..." },
      onWarning,
    });
    await openApiTools(document({ type: "apiKey", in: "body", name: "k" }), { onWarning });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain('other (an apiKey "in" "body")');
  });
});
