/**
 * The safety defaults of an operation, from its HTTP method: what its tool's annotations
 * say (GET/HEAD/OPTIONS read only, PUT/DELETE idempotent, DELETE destructive) and which
 * calls a human approves before they run. By default (`"writes"`) every operation that may
 * change something does: all but GET, HEAD and OPTIONS. `"none"` asks for nothing, `"all"`
 * for every call, and a function decides per operation.
 */
import { InvalidOptionsError } from "../errors.js";
import type { NeedsApproval, ToolAnnotations } from "../tools/types.js";

/** What `include` and `approve` functions are told about an operation. */
export interface OpenApiOperationInfo {
  /** The Python function name the operation gets. */
  readonly toolName: string;
  readonly operationId?: string;
  /** Upper case: `GET`, `POST`, ... */
  readonly method: string;
  /** The path template: `/pets/{petId}`. */
  readonly path: string;
  readonly summary?: string;
  readonly tags: readonly string[];
  readonly deprecated: boolean;
}

/**
 * `"writes"` (default): approve every call of an operation that is not GET, HEAD or
 * OPTIONS. `"none"`: never ask. `"all"`: ask for every call. A function: `true` asks for
 * every call of that operation, `false` never, or a function of the call's arguments.
 */
export type OpenApiApprovalPolicy =
  | "writes"
  | "none"
  | "all"
  | ((operation: OpenApiOperationInfo) => NeedsApproval);

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** True for methods that only read (HTTP's "safe" methods). */
export function isReadOnlyMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Checks the option once, before any operation is built. */
export function checkApprovalPolicy(policy: unknown): OpenApiApprovalPolicy {
  if (policy === undefined) return "writes";
  if (
    policy === "writes" ||
    policy === "none" ||
    policy === "all" ||
    typeof policy === "function"
  ) {
    return policy as OpenApiApprovalPolicy;
  }
  throw new InvalidOptionsError(
    `openApiTools({ approve }) must be "writes" (default), "none", "all" or a function of the ` +
      `operation (got ${JSON.stringify(policy)}).`,
  );
}

/** The tool's `needsApproval` for one operation under `policy`. */
export function operationNeedsApproval(
  policy: OpenApiApprovalPolicy,
  operation: OpenApiOperationInfo,
): NeedsApproval {
  if (policy === "none") return false;
  if (policy === "all") return true;
  if (policy === "writes") return !isReadOnlyMethod(operation.method);
  const decided = policy(operation);
  if (typeof decided === "boolean" || typeof decided === "function") return decided;
  throw new InvalidOptionsError(
    `openApiTools({ approve }) returned ${JSON.stringify(decided)} for ${operation.method} ` +
      `${operation.path}: return true, false or a function of the call's arguments.`,
  );
}

/**
 * MCP's hints for a method, as HTTP defines it: the safe methods only read; PUT and DELETE
 * may be repeated to the same effect; DELETE destroys. POST and PATCH keep MCP's defaults
 * (may change and destroy, not idempotent), so a retry never repeats them.
 */
export function methodAnnotations(method: string): ToolAnnotations {
  const upper = method.toUpperCase();
  if (isReadOnlyMethod(upper)) return { readOnlyHint: true };
  if (upper === "PUT") return { readOnlyHint: false, idempotentHint: true, destructiveHint: true };
  if (upper === "DELETE")
    return { readOnlyHint: false, idempotentHint: true, destructiveHint: true };
  return { readOnlyHint: false };
}
