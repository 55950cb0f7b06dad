/**
 * An API on loopback whose document declares every kind of security scheme codemode
 * sends (an API key in a header, the query and a cookie; http bearer and basic; oauth2)
 * and one it cannot (mutualTLS), with operations that need one, none (`security: []`),
 * the document's default, or one of two alternatives. Each route answers 200 when the
 * credential it wants arrived and 401 otherwise; every request is recorded.
 */
import { type RecordedRequest, serveOnLoopback } from "./pet-api.js";

export const SECRETS = {
  headerKey: "hdr-key-8f3a91",
  queryKey: "qry-key-27c4d0",
  cookieKey: "ck-key-5e61b2",
  bearer: "bearer-tok-90ad17",
  oauth: "oauth-tok-3b7e45",
  username: "alice",
  password: "pa55-w0rd-c9e2",
} as const;

const SCHEMES = {
  headerKey: { type: "apiKey", in: "header", name: "X-API-Key" },
  queryKey: { type: "apiKey", in: "query", name: "api_key" },
  cookieKey: { type: "apiKey", in: "cookie", name: "session" },
  bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
  basicAuth: { type: "http", scheme: "basic" },
  oauth: {
    type: "oauth2",
    flows: { clientCredentials: { tokenUrl: "https://auth.example/token", scopes: {} } },
  },
  mtls: { type: "mutualTLS" },
};

/** Path -> the operation's `security` (undefined: the document's, bearerAuth). */
const ROUTES: Record<string, { operationId: string; security?: unknown[] }> = {
  "/me": { operationId: "me" },
  "/public": { operationId: "publicInfo", security: [] },
  "/by-header": { operationId: "byHeader", security: [{ headerKey: [] }] },
  "/by-query": { operationId: "byQuery", security: [{ queryKey: [] }] },
  "/by-cookie": { operationId: "byCookie", security: [{ cookieKey: [] }] },
  "/by-basic": { operationId: "byBasic", security: [{ basicAuth: [] }] },
  "/by-oauth": { operationId: "byOauth", security: [{ oauth: ["read"] }] },
  "/by-mtls": { operationId: "byMtls", security: [{ mtls: [] }] },
  /** Both API keys together, or basic. */
  "/either": {
    operationId: "either",
    security: [{ headerKey: [], queryKey: [] }, { basicAuth: [] }],
  },
  /** Anonymous allowed (`{}`), or the header key. */
  "/optional": { operationId: "optional", security: [{}, { headerKey: [] }] },
  /** Always refuses, quoting the query key it got (as careless servers do). */
  "/echo-denied": { operationId: "echoDenied", security: [{ queryKey: [] }] },
};

export function securedApiDocument(baseUrl: string) {
  const paths: Record<string, unknown> = {};
  for (const [path, { operationId, security }] of Object.entries(ROUTES)) {
    paths[path] = {
      get: {
        operationId,
        ...(security ? { security } : {}),
        parameters: [{ name: "q", in: "query", schema: { type: "string" } }],
        responses: {
          "200": {
            description: "Who the server took the caller for.",
            content: {
              "application/json": {
                schema: { type: "object", properties: { route: { type: "string" } } },
              },
            },
          },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Secured API", version: "1.0.0" },
    servers: [{ url: baseUrl }],
    paths,
    components: { securitySchemes: SCHEMES },
    security: [{ bearerAuth: [] }],
  };
}

export interface SecuredApi {
  url: string;
  document: ReturnType<typeof securedApiDocument>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startSecuredApi(): Promise<SecuredApi> {
  const requests: RecordedRequest[] = [];
  const basic = `Basic ${Buffer.from(`${SECRETS.username}:${SECRETS.password}`).toString("base64")}`;
  const server = await serveOnLoopback(({ req, body, target, send }) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    const query = target.searchParams.get("api_key");
    const has = {
      headerKey: req.headers["x-api-key"] === SECRETS.headerKey,
      queryKey: query === SECRETS.queryKey,
      cookieKey: (req.headers.cookie ?? "").split("; ").includes(`session=${SECRETS.cookieKey}`),
      bearerAuth: req.headers.authorization === `Bearer ${SECRETS.bearer}`,
      basicAuth: req.headers.authorization === basic,
      oauth: req.headers.authorization === `Bearer ${SECRETS.oauth}`,
    };
    const route = ROUTES[target.pathname];
    if (!route) return send(404, { message: `no route ${target.pathname}` });
    if (target.pathname === "/echo-denied") {
      return send(403, { message: `key ${query} may not do this` });
    }
    const alternatives = route.security ?? [{ bearerAuth: [] }];
    const allowed =
      alternatives.length === 0 ||
      alternatives.some((alternative) =>
        Object.keys(alternative as object).every((name) => has[name as keyof typeof has]),
      );
    return allowed
      ? send(200, { route: target.pathname })
      : send(401, { message: "missing or wrong credentials" });
  });
  return {
    url: server.url,
    document: securedApiDocument(server.url),
    requests,
    close: server.close,
  };
}
