/**
 * The tools layer's public door: turn functions and schema'd definitions into `Tool`s,
 * describe them to Python (signatures, docstrings, type-check stubs) and bind the
 * arguments Python passes back.
 */

export {
  type AiSdkToolCallOptions,
  type AiSdkToolLike,
  fromAiSdkTool,
  isAiSdkTool,
} from "./ai-sdk-tool.js";
export { bindArguments } from "./bind-arguments.js";
export {
  defineTool,
  functionTool,
  type InferParameters,
  type InferReturns,
  isTool,
  type ToolDefinition,
} from "./define-tool.js";
export { durableTool } from "./durable.js";
export { type SchemaIssue, validateJsonSchema } from "./json-schema-validator.js";
export { keywordOnlyStart } from "./parameters.js";
export { prepareCall } from "./prepare-call.js";
export {
  isPythonIdentifier,
  PYTHON_KEYWORDS,
  RESERVED_TOOL_NAMES,
  suggestIdentifier,
} from "./python-names.js";
export {
  type HintOptions,
  isTypedDictShape,
  pythonLiteral,
  pythonTypeHint,
  pythonTypeName,
} from "./python-types.js";
export {
  type CompiledSchema,
  compileParameters,
  compileSchema,
  isStandardSchema,
  isZodSchema,
  type SchemaCheck,
  type SchemaIo,
  type SchemaSpec,
  type StandardSchemaLike,
  toJsonSchema,
} from "./schema.js";
export {
  escapeDocstring,
  PARALLEL_MAP_SIGNATURE,
  pythonDocstring,
  pythonParameter,
  pythonSignature,
  pythonSignatures,
  pythonStub,
  pythonToolListing,
  pythonTypedDicts,
} from "./signature.js";
export {
  normalizeTools,
  renameTool,
  type ToolInput,
  type ToolSetInput,
  toolMap,
} from "./tool-set.js";
export {
  PythonTypeScope,
  type TypedDictDeclaration,
  type TypedDictField,
  typedDictSource,
} from "./typed-dicts.js";
export type * from "./types.js";
