/**
 * One operation as a codemode tool: keyword arguments from its parameters and body, the
 * return type from its 2xx response, and an `execute` that sends the request with the
 * call's abort signal and turns the answer into a value or a Python exception.
 */
import { defineTool } from "../tools/define/define-tool.js";
import type { JsonSchema, NeedsApproval, Tool, ToolAnnotations } from "../tools/types.js";
import { httpStatusError, requestFailure } from "./http-errors.js";
import type { OperationInput } from "./parameters.js";
import { buildRequest } from "./request.js";
import { successValue } from "./response.js";

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
      const { url, init } = buildRequest(plan, input, spec.baseUrl, spec.headers);
      const where = `${method} ${url.pathname}`;
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(limit)]);
      try {
        const response = await spec.fetch(url, { ...init, signal });
        if (!response.ok) throw await httpStatusError(response, where);
        return await successValue(response, where);
      } catch (error) {
        if ((error as { code?: unknown }).code === "TOOL_ERROR") throw error;
        throw requestFailure(error, where, limit, context.signal.aborted);
      }
    },
  });
}
