/**
 * codemode: let an LLM answer by writing a short Python program that calls your
 * tools as plain functions, run in the Monty sandbox.
 *
 * The root holds the core: run Python against tools, define tools, the agent and its LLM
 * clients. Integrations with heavy dependencies are subpath exports, so `import "codemode"`
 * does not load them: `codemode/ai-sdk` (codeModeTool), `codemode/mcp` (mcpTools, codemode
 * as an MCP server), `codemode/server` (the chat app), `codemode/durable` (Restate runs;
 * `durableTool` itself is here, in the core).
 *
 * Every export is named here on purpose (test/api/exports.test.ts snapshots the list):
 * binding, schema compilation, Python rendering details, retry helpers and value
 * converters are internal, so they can change without breaking users.
 */

// The agent and its LLM clients.
export { CodeModeAgent, type ToolDescription } from "./agent/code-mode-agent.js";
export type { ConversationState } from "./agent/conversation-state.js";
export type { Skill } from "./agent/skills.js";
export type {
  AgentApprovalOptions,
  AgentContinuationOptions,
  AgentEvent,
  AgentResult,
  AgentRunOptions,
  AgentSandboxOptions,
  AgentToolCall,
  AgentTurn,
  AgentTurnOptions,
  Chart,
  CodeModeAgentOptions,
  Compensation,
  PendingApproval,
  ProgramReview,
} from "./agent/types.js";
// Errors: every one codemode throws is a CodeModeError.
export {
  CodeModeError,
  ContinuationError,
  ConversationStateError,
  InvalidOptionsError,
  LlmError,
  MissingApiKeyError,
  ToolArgumentError,
  ToolDefinitionError,
  ToolError,
  ValueConversionError,
} from "./errors.js";
// Run Python against tools.
export { execute } from "./execute/execute.js";
export { type ApprovalDecisions, resumeExecution } from "./execute/resume.js";
export type {
  ApprovalDecision,
  ApprovalRequest,
  ExecuteOptions,
  ExecutionError,
  ExecutionResult,
  Isolation,
  ProgramState,
  SideEffect,
  SuspendedExecution,
  ToolCallRecord,
} from "./execute/types.js";
export { type CreateCallLlmOptions, createCallLlm } from "./llm/default-call-llm.js";
export type { ProviderFactory, ProviderSettings } from "./llm/providers.js";
export { createReplayCallLlm } from "./llm/replay.js";
export type { CallLlm, CallLlmOptions, ChatMessage, LlmReply, TokenUsage } from "./llm/types.js";
export type {
  ExecutionErrorType,
  LimitErrorType,
  LimitName,
  PythonExceptionType,
  RunErrorType,
} from "./sandbox/error-types.js";
export { DEFAULT_LIMITS, type Limits } from "./sandbox/limits.js";
export { closeDefaultSandboxPool, SandboxPool, type SandboxPoolOptions } from "./sandbox/pool.js";
export { SANDBOX_PYTHON_RULES } from "./sandbox/python-rules.js";
export { formatDiagnostics, type TypeDiagnostic, typeCheckProgram } from "./sandbox/type-check.js";
// Tools: define them, adapt AI SDK tools and plain functions, mark them durable.
export {
  type AiSdkToolCallOptions,
  type AiSdkToolLike,
  type FromAiSdkToolOptions,
  fromAiSdkTool,
} from "./tools/define/ai-sdk-tool.js";
export {
  defineTool,
  functionTool,
  type InferParameters,
  type InferReturns,
  type ToolDefinition,
} from "./tools/define/define-tool.js";
export { durableTool } from "./tools/define/durable.js";
export { normalizeTools, type ToolInput, type ToolSetInput } from "./tools/define/tool-set.js";
// Large tool sets: what search_tools returns, and how listings are counted.
export type { ToolMatch } from "./tools/discovery/discovery-tools.js";
export { estimateTokens } from "./tools/discovery/listing.js";
// What the model sees of the tools, and the type check against it.
export {
  pythonSignature,
  pythonStub,
  pythonToolDescription,
  pythonToolListing,
} from "./tools/python/signature.js";
export type { SchemaSpec } from "./tools/schema/compile.js";
export type {
  Compensate,
  CompensationContext,
  DurableToolOptions,
  JsonSchema,
  NeedsApproval,
  Tool,
  ToolAnnotations,
  ToolContext,
  ToolParameter,
  ValidationResult,
} from "./tools/types.js";
export type { TelemetryOptions } from "./tracing/spans.js";
