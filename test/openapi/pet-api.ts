/**
 * A small pet API on loopback for the OpenAPI tests: it serves its own document at
 * /openapi.json and /openapi.yaml and implements it, requiring a bearer token on every
 * API call. Each request it answers is recorded, so a test can tell that none was sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { stringify } from "yaml";

export const TOKEN = "s3cret-token-123";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

interface Pet {
  id: number;
  name: string;
  tag?: string;
}

/** The document the server serves (OpenAPI 3.0, with `servers` pointing at itself). */
export function petApiDocument(baseUrl: string) {
  return {
    openapi: "3.0.3",
    info: { title: "Pet API", version: "1.0.0" },
    servers: [{ url: `${baseUrl}/v1` }],
    paths: {
      "/pets": {
        get: {
          operationId: "listPets",
          summary: "List pets, optionally by tag.",
          parameters: [
            {
              name: "tag",
              in: "query",
              description: "Only pets with one of these tags.",
              schema: { type: "array", items: { type: "string" } },
            },
            { $ref: "#/components/parameters/limit" },
          ],
          responses: {
            "200": {
              description: "The pets.",
              content: {
                "application/json": {
                  schema: { type: "array", items: { $ref: "#/components/schemas/Pet" } },
                },
              },
            },
          },
        },
        post: {
          operationId: "createPet",
          summary: "Add a pet.",
          requestBody: { $ref: "#/components/requestBodies/NewPet" },
          responses: {
            "201": {
              description: "Created.",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
            },
          },
        },
      },
      "/pets/{petId}": {
        parameters: [{ name: "petId", in: "path", required: true, schema: { type: "integer" } }],
        get: {
          operationId: "getPetById",
          summary: "Get one pet by id.",
          parameters: [
            {
              name: "X-Request-Id",
              in: "header",
              description: "Echoed back as request_id.",
              schema: { type: "string" },
            },
          ],
          responses: {
            "200": {
              description: "The pet.",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/PetWithRequest" } },
              },
            },
            "404": { $ref: "#/components/responses/NotFound" },
          },
        },
        delete: {
          operationId: "deletePet",
          summary: "Remove a pet.",
          responses: { "204": { description: "Gone." } },
        },
      },
      "/pets/{petId}/tags": {
        put: {
          summary: "Replace a pet's tags.",
          parameters: [{ name: "petId", in: "path", required: true, schema: { type: "integer" } }],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { type: "array", items: { type: "string" } } },
            },
          },
          responses: {
            "200": {
              description: "The pet.",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
            },
          },
        },
      },
      "/files/{path}": {
        get: {
          operationId: "readFile",
          summary: "Echo a path parameter as the server received it.",
          parameters: [{ name: "path", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": {
              description: "Echo.",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: { raw: { type: "string" } },
                    required: ["raw"],
                  },
                },
              },
            },
          },
        },
      },
      "/slow": {
        get: {
          operationId: "slow",
          summary: "Answers only when the client gives up.",
          responses: { "200": { description: "Never." } },
        },
      },
      "/photos": {
        post: {
          operationId: "uploadPhoto",
          summary: "Upload a photo.",
          requestBody: {
            required: true,
            content: { "multipart/form-data": { schema: { type: "object" } } },
          },
          responses: { "201": { description: "Stored." } },
        },
      },
    },
    components: {
      parameters: {
        limit: {
          name: "limit",
          in: "query",
          description: "At most this many.",
          schema: { type: "integer", minimum: 1, default: 20 },
        },
      },
      requestBodies: {
        NewPet: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/NewPet" } } },
        },
      },
      responses: {
        NotFound: {
          description: "No such pet.",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
      schemas: {
        NewPet: {
          type: "object",
          required: ["name"],
          properties: {
            id: { type: "integer", readOnly: true },
            name: { type: "string", description: "What the pet answers to." },
            tag: { type: "string", nullable: true },
          },
        },
        Pet: {
          type: "object",
          required: ["id", "name"],
          properties: {
            id: { type: "integer" },
            name: { type: "string" },
            tag: { type: "string", nullable: true },
          },
        },
        PetWithRequest: {
          allOf: [
            { $ref: "#/components/schemas/Pet" },
            { type: "object", properties: { request_id: { type: "string", nullable: true } } },
          ],
        },
        Error: {
          type: "object",
          properties: { message: { type: "string" } },
        },
      },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    security: [{ bearer: [] }],
  };
}

export interface PetApi {
  url: string;
  /** Every API request answered (the document's own downloads are not recorded). */
  requests: RecordedRequest[];
  pets: Map<number, Pet>;
  close(): Promise<void>;
}

export async function startPetApi(): Promise<PetApi> {
  const pets = new Map<number, Pet>([
    [1, { id: 1, name: "Rex", tag: "dog" }],
    [2, { id: 2, name: "Tom", tag: "cat" }],
    [3, { id: 3, name: "Kit", tag: "cat" }],
  ]);
  const requests: RecordedRequest[] = [];
  let url = "";
  const server = await serveOnLoopback(async ({ req, res, body, target, send }) => {
    if (target.pathname === "/openapi.json") return send(200, petApiDocument(url));
    if (target.pathname === "/openapi.yaml") {
      res.writeHead(200, { "content-type": "application/yaml" });
      return res.end(stringify(petApiDocument(url)));
    }
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return send(401, { message: "missing or wrong bearer token" });
    }
    const path = target.pathname.replace(/^\/v1/, "");
    const petMatch = /^\/pets\/(\d+)(\/tags)?$/.exec(path);
    if (path === "/pets" && req.method === "GET") {
      const tags = target.searchParams.getAll("tag");
      const limit = Number(target.searchParams.get("limit") ?? "20");
      const found = [...pets.values()].filter(
        (p) => tags.length === 0 || tags.includes(p.tag ?? ""),
      );
      return send(200, found.slice(0, limit));
    }
    if (path === "/pets" && req.method === "POST") {
      const input = JSON.parse(body) as { name: string; tag?: string };
      const pet = { id: pets.size + 1, ...input };
      pets.set(pet.id, pet);
      return send(201, pet);
    }
    if (petMatch) {
      const pet = pets.get(Number(petMatch[1]));
      if (!pet) return send(404, { message: `no pet ${petMatch[1]}` });
      if (petMatch[2] && req.method === "PUT") {
        const tags = JSON.parse(body) as string[];
        pet.tag = tags.join(",");
        return send(200, pet);
      }
      if (req.method === "DELETE") {
        pets.delete(pet.id);
        return send(204);
      }
      const requestId = req.headers["x-request-id"];
      return send(200, { ...pet, request_id: typeof requestId === "string" ? requestId : null });
    }
    if (path.startsWith("/files/")) return send(200, { raw: path.slice("/files/".length) });
    if (path === "/slow") return; // Never answers; the client's abort ends it.
    return send(404, { message: `no route ${req.method} ${path}` });
  });
  url = server.url;
  return { url, requests, pets, close: server.close };
}

/** One request as a handler sees it: the body read, the URL parsed, a JSON `send`. */
export interface LoopbackRequest {
  req: IncomingMessage;
  res: ServerResponse;
  body: string;
  target: URL;
  /** Answers `status` with `value` as JSON, or with no body. */
  send(status: number, value?: unknown): void;
}

/** An HTTP server on 127.0.0.1 (a free port) calling `handle` for each request. */
export async function serveOnLoopback(
  handle: (request: LoopbackRequest) => unknown,
): Promise<{ url: string; close(): Promise<void> }> {
  let url = "";
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const send = (status: number, value?: unknown) => {
      if (value === undefined) res.writeHead(status).end();
      else {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      }
    };
    await handle({ req, res, body, target: new URL(req.url ?? "/", url), send });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The command-line flags that point `codemode run|chat|mcp` at this API: its document
 * (`openapi.json` or `openapi.yaml`) and the token as a header, or `header` as given, or
 * with `auth` the credential as `--openapi-auth` (the document's scheme is `bearer`).
 */
export function openApiFlags(
  api: PetApi,
  {
    document = "openapi.json",
    header = `Authorization: Bearer ${TOKEN}`,
    auth,
  }: { document?: string; header?: string; auth?: string } = {},
): string[] {
  const credential = auth !== undefined ? ["--openapi-auth", auth] : ["--openapi-header", header];
  return ["--openapi", `${api.url}/${document}`, ...credential];
}
