/**
 * Requests from arguments, as OpenAPI's serialisation rules say: query styles (form with
 * and without explode, the delimited styles, deepObject), path styles (simple, label,
 * matrix) with percent-encoding, header parameters beside the configured headers, and
 * the body as JSON.
 */
import { describe, expect, it } from "vitest";
import type { ArgumentBinding } from "../../src/openapi/parameters.js";
import { addCredentials, buildRequest, joinUrl } from "../../src/openapi/request.js";

function binding(
  python: string,
  place: ArgumentBinding["in"],
  extra: Partial<ArgumentBinding> = {},
) {
  const style = place === "query" ? "form" : "simple";
  return {
    python,
    name: python,
    in: place,
    style,
    explode: style === "form",
    json: false,
    ...extra,
  } satisfies ArgumentBinding;
}

const url = (bindings: ArgumentBinding[], input: Record<string, unknown>, path = "/items") =>
  buildRequest({ method: "get", path, bindings }, input, "https://api.example/v1/", {}).url.href;

describe("query parameters", () => {
  it("arrays: form/explode by default, comma-joined without explode, delimited styles", () => {
    expect(url([binding("tag", "query")], { tag: ["a", "b c"] })).toBe(
      "https://api.example/v1/items?tag=a&tag=b%20c",
    );
    expect(url([binding("tag", "query", { explode: false })], { tag: ["a", "b"] })).toBe(
      "https://api.example/v1/items?tag=a%2Cb",
    );
    expect(url([binding("tag", "query", { style: "pipeDelimited" })], { tag: [1, 2] })).toBe(
      "https://api.example/v1/items?tag=1%7C2",
    );
    expect(url([binding("tag", "query", { style: "spaceDelimited" })], { tag: [1, 2] })).toBe(
      "https://api.example/v1/items?tag=1%202",
    );
  });

  it("objects: one pair per property with explode, deepObject brackets, JSON content as text", () => {
    expect(url([binding("filter", "query")], { filter: { color: "red", size: 2 } })).toBe(
      "https://api.example/v1/items?color=red&size=2",
    );
    expect(
      url([binding("filter", "query", { style: "deepObject", explode: true })], {
        filter: { color: "red" },
      }),
    ).toBe("https://api.example/v1/items?filter%5Bcolor%5D=red");
    expect(url([binding("q", "query", { json: true })], { q: { a: [1] } })).toBe(
      "https://api.example/v1/items?q=%7B%22a%22%3A%5B1%5D%7D",
    );
  });

  it("scalars as text; None and missing arguments are left out", () => {
    expect(
      url([binding("on", "query"), binding("n", "query"), binding("x", "query")], {
        on: true,
        n: 2.5,
        x: null,
      }),
    ).toBe("https://api.example/v1/items?on=true&n=2.5");
  });
});

describe("path parameters", () => {
  it("are percent-encoded into one segment, in every style", () => {
    const path = "/files/{id}";
    expect(url([binding("id", "path")], { id: "a/b c?" }, path)).toBe(
      "https://api.example/v1/files/a%2Fb%20c%3F",
    );
    expect(url([binding("id", "path")], { id: [1, 2] }, path)).toBe(
      "https://api.example/v1/files/1,2",
    );
    expect(url([binding("id", "path", { style: "label" })], { id: [1, 2] }, path)).toBe(
      "https://api.example/v1/files/.1,2",
    );
    expect(
      url([binding("id", "path", { style: "matrix", explode: true })], { id: [1, 2] }, path),
    ).toBe("https://api.example/v1/files/;id=1;id=2");
  });
});

describe("headers and bodies", () => {
  it("sends the configured headers, header parameters beside them, and the body as JSON", () => {
    const { init } = buildRequest(
      {
        method: "post",
        path: "/items",
        contentType: "application/json",
        bindings: [
          binding("X_Trace", "header", { name: "X-Trace" }),
          binding("name", "body-property"),
          binding("tags", "body-property"),
        ],
      },
      { X_Trace: "t-1", name: "box", tags: ["a"] },
      "https://api.example",
      { Authorization: "Bearer k" },
    );
    expect(init.method).toBe("POST");
    const sent = (name: string) => init.headers.get(name);
    expect(["accept", "authorization", "content-type", "x-trace"].map(sent)).toEqual([
      "application/json",
      "Bearer k",
      "application/json",
      "t-1",
    ]);
    expect(init.body).toBe('{"name":"box","tags":["a"]}');
  });

  it("a whole body argument is the body; no body argument, no body", () => {
    const plan = { method: "put", path: "/x", bindings: [binding("body", "body")] };
    expect(buildRequest(plan, { body: [1, 2] }, "https://a.example", {}).init.body).toBe("[1,2]");
    expect(buildRequest(plan, {}, "https://a.example", {}).init.body).toBeUndefined();
  });

  it("joins a base URL with a path without losing the base's own path", () => {
    expect(joinUrl("https://a.example/api/v3/", "/pets")).toBe("https://a.example/api/v3/pets");
    expect(joinUrl("https://a.example", "pets")).toBe("https://a.example/pets");
  });
});

describe("credentials", () => {
  it("replace a query pair the program passed, keep %20, and never override `headers`", () => {
    const explicit = { Authorization: "Bearer mine", Cookie: "session=mine; theme=dark" };
    const built = buildRequest(
      {
        method: "get",
        path: "/items",
        bindings: [binding("api_key", "query"), binding("q", "query")],
      },
      { api_key: "from-program", q: "a b" },
      "https://api.example",
      explicit,
    );
    const { url, init } = addCredentials(
      built,
      {
        headers: [
          ["authorization", "Bearer scheme"],
          ["X-Key", "k1"],
        ],
        query: [["api_key", "k2"]],
        cookies: [
          ["session", "k3"],
          ["other", "k4"],
        ],
        secrets: [],
      },
      explicit,
    );
    expect(url.href).toBe("https://api.example/items?q=a%20b&api_key=k2");
    expect(init.headers.get("authorization")).toBe("Bearer mine");
    expect(init.headers.get("x-key")).toBe("k1");
    expect(init.headers.get("cookie")).toBe("session=mine; theme=dark; other=k4");
  });
});
