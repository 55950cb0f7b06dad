/**
 * A tree as MCP servers describe one: the node refers to itself through `$defs`, so a
 * validator that stops at a `$ref` misses a bad value at the second level and below.
 */
export const TREE_SCHEMA = {
  type: "object",
  properties: { root: { $ref: "#/$defs/Node" } },
  required: ["root"],
  $defs: {
    Node: {
      type: "object",
      properties: {
        name: { type: "string" },
        children: { type: "array", items: { $ref: "#/$defs/Node" } },
      },
      required: ["name"],
    },
  },
} as const;
