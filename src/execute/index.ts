export { execute } from "./execute.js";
export type {
  ExecuteOptions,
  ExecutionError,
  ExecutionResult,
  Isolation,
  ToolCallRecord,
} from "./types.js";
