/**
 * OpenAPI documents as tools: `openApiTools(document)` gives one typed tool per
 * operation, calling the API over HTTP with the credentials its security schemes ask for.
 */
export type { ToolRename as OpenApiRename } from "../tools/python/names.js";
export type { OpenApiApprovalPolicy, OpenApiOperationInfo } from "./approval.js";
export { OpenApiError, type OpenApiProblem } from "./errors.js";
export type { OpenApiSource } from "./load.js";
export {
  type OpenApiSkippedOperation,
  type OpenApiToolSet,
  type OpenApiToolsOptions,
  openApiTools,
} from "./open-api-tools.js";
export type { OpenApiAuth, OpenApiCredential, OpenApiCredentialSource } from "./security.js";
