// Resolves the optional peer from bench/peer/node_modules (see README.md).
export { experimental_runCodeMode as runCodeMode } from "@ai-sdk/code-mode";
export { jsonSchema, tool } from "ai";
