/**
 * Durable runs on Restate: each LLM call and tool call of an agent run is a journaled step,
 * so a run survives the death of the worker running it, and tools can run on other machines.
 */
export {
  cancelInvocation,
  type RegisterDeploymentOptions,
  type RegisteredDeployment,
  registerDeployment,
} from "./admin.js";
export type { DurableApproveInput, DurableVerdict } from "./approvals.js";
export {
  DurableChatAgent,
  type DurableChatAgentOptions,
  type DurableChatRunOptions,
} from "./chat-agent.js";
export {
  createDurableClient,
  type DurableClient,
  type DurableClientOptions,
  type DurableConversationOptions,
  type DurableRunOptions,
  type DurableRunResult,
  type SubmittedRun,
} from "./client.js";
export { DurableRunError, RestateUnavailableError } from "./errors.js";
export {
  createToolService,
  type RemoteToolOptions,
  remoteTool,
  type ToolServiceOptions,
} from "./remote-tools.js";
export { type DurableWorker, type ServeDurableOptions, serveDurable } from "./serve.js";
export {
  createDurableService,
  type DurableRunInput,
  type DurableServiceDefinition,
  type DurableServiceOptions,
} from "./service.js";
