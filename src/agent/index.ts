export { CodeModeAgent, DEFAULT_MODEL, type ToolDescription } from "./code-mode-agent.js";
export { extractCode } from "./extract-code.js";
export { buildSystemPrompt, DEFAULT_SYSTEM_PROMPT_PREFIX } from "./prompt.js";
export type { Skill } from "./skills.js";
export type {
  AgentEvent,
  AgentResult,
  AgentRunOptions,
  AgentToolCall,
  Chart,
  CodeModeAgentOptions,
} from "./types.js";
