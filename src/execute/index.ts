export { execute } from "./execute.js";
export type {
  ExecuteOptions,
  ExecutionError,
  ExecutionResult,
  Isolation,
  ProgramState,
  ToolCallRecord,
} from "./types.js";
