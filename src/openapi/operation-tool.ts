/**
 * One operation as a codemode tool: keyword arguments from its parameters and body, the
 * return type from its 2xx response, and an `execute` that sends the request with the
 * call's abort signal and turns the answer into a value or a Python exception.
 */
import { ToolError } from "../errors.js";
import { defineTool } from "../tools/define/define-tool.js";
import type { JsonSchema, NeedsApproval, Tool, ToolAnnotations } from "../tools/types.js";
import { httpStatusError, requestFailure } from "./http-errors.js";
import type { OperationInput } from "./parameters.js";
import { addCredentials, buildRequest } from "./request.js";
import { successValue } from "./response.js";
import { callCredentials, type OperationSecurity, redact } from "./security.js";

/**
 * How long a request may wait when nothing else bounds it (a tool called outside
 * `execute()` without `timeoutMs`). Inside a run, the run's `limits.toolTimeoutMs` is sooner.
 */
export const HTTP_REQUEST_BACKSTOP_MS = 10 * 60_000;

export interface OperationToolSpec {
  readonly name: string;
  readonly description: string;
  readonly method: string;
  readonly path: string;
  readonly input: OperationInput;
  readonly outputSchema: JsonSchema | undefined;
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The schemes whose credentials each call sends (see security.ts). */
  readonly security: OperationSecurity;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number | undefined;
  readonly needsApproval: NeedsApproval;
  readonly annotations: ToolAnnotations;
}

export function operationTool(spec: OperationToolSpec): Tool {
  const plan = {
    method: spec.method,
    path: spec.path,
    bindings: spec.input.bindings,
    contentType: spec.input.contentType,
  };
  const method = spec.method.toUpperCase();
  const limit = spec.timeoutMs ?? HTTP_REQUEST_BACKSTOP_MS;
  return defineTool({
    name: spec.name,
    description: spec.description,
    inputSchema: spec.input.inputSchema,
    ...(spec.outputSchema !== undefined ? { outputSchema: spec.outputSchema } : {}),
    ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    needsApproval: spec.needsApproval,
    annotations: spec.annotations,
    execute: async (input, context) => {
      const request = buildRequest(plan, input, spec.baseUrl, spec.headers);
      // Messages name the path only: the query string may carry an API key.
      const where = `${method} ${request.url.pathname}`;
      const credentials = await callCredentials(spec.security, where);
      const { url, init } = addCredentials(request, credentials, spec.headers);
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(limit)]);
      try {
        const response = await spec.fetch(url, { ...init, signal });
        if (!response.ok) throw await httpStatusError(response, where);
        return await successValue(response, where);
      } catch (error) {
        const failure =
          (error as { code?: unknown }).code === "TOOL_ERROR"
            ? (error as ToolError)
            : requestFailure(error, where, limit, context.signal.aborted);
        throw withoutSecrets(failure, credentials.secrets);
      }
    },
  });
}

/** The failure with the call's credentials blanked out of its message (a server may echo one). */
function withoutSecrets(failure: Error, secrets: readonly string[]): Error {
  if (!(failure instanceof ToolError)) return failure;
  const message = redact(failure.message, secrets);
  if (message === failure.message) return failure;
  return new ToolError(message, { pythonType: failure.pythonType });
}
