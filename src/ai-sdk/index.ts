/** Code mode inside an AI SDK loop: `codeModeTool` gives `generateText` a `run_python` tool. */
export {
  type CodeModeToolOptions,
  codeModeTool,
  type RunPythonResult,
  type RunPythonToolCalls,
} from "./code-mode-tool.js";
