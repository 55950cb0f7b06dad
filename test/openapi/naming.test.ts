/**
 * Operation names: the operationId in snake_case, else method and path; clashes settled
 * the same way whatever order the document lists its operations in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { methodPathName, operationToolNames, snakeCase } from "../../src/openapi/naming.js";
import { isPythonIdentifier, isReservedToolName } from "../../src/tools/python/names.js";

describe("operation names", () => {
  it("snake_cases operationIds and spells method + path when there is none", () => {
    expect(snakeCase("getOrder")).toBe("get_order");
    expect(snakeCase("listPetsByID")).toBe("list_pets_by_id");
    expect(snakeCase("HTTPGetThing")).toBe("http_get_thing");
    expect(snakeCase("pets.list-all")).toBe("pets_list_all");
    expect(methodPathName("get", "/orders/{orderId}")).toBe("get_orders_by_order_id");
    expect(methodPathName("post", "/users/{id}/posts")).toBe("post_users_by_id_posts");
    expect(methodPathName("get", "/")).toBe("get_root");
  });

  it("settles clashes predictably: the exact spelling wins, the rest get _2, _3 by METHOD /path", () => {
    const { names, renamed } = operationToolNames(
      [
        { method: "get", path: "/b", operationId: "getThing" },
        { method: "get", path: "/a", operationId: "get_thing" },
        { method: "get", path: "/c", operationId: "GetThing" },
        { method: "post", path: "/import", operationId: "import" },
        { method: "get", path: "/search", operationId: "searchTools" },
      ],
      undefined,
    );
    expect(Object.fromEntries(names)).toEqual({
      "GET /a": "get_thing",
      "GET /b": "get_thing_2",
      "GET /c": "get_thing_3",
      "POST /import": "import_",
      "GET /search": "search_tools_",
    });
    expect(renamed).toContainEqual({
      from: "GET /b",
      to: "get_thing_2",
      reason: '"get_thing" is taken by operation "GET /a"',
    });
  });

  it("gives the same, valid, distinct names whatever order the operations come in", () => {
    const op = fc.record({
      method: fc.constantFrom("get", "post", "put", "delete"),
      path: fc.stringMatching(/^\/[a-z{}]{1,6}$/),
      operationId: fc.option(fc.stringMatching(/^[a-zA-Z_.-]{1,8}$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(op, { maxLength: 12, selector: (o) => `${o.method} ${o.path}` }),
        (ops) => {
          const one = operationToolNames(ops, "api", ["taken"]).names;
          const two = operationToolNames([...ops].reverse(), "api", ["taken"]).names;
          expect(Object.fromEntries(two)).toEqual(Object.fromEntries(one));
          const values = [...one.values()];
          expect(new Set(values).size).toBe(values.length);
          for (const v of values) {
            expect(isPythonIdentifier(v)).toBe(true);
            expect(isReservedToolName(v)).toBe(false);
            expect(v).not.toBe("taken");
          }
        },
      ),
    );
  });
});
