/**
 * AI SDK tools as codemode tools. A `ToolSet` written for `generateText` (`tool({
 * description, inputSchema, outputSchema?, execute })` from `ai`) passes straight into
 * `tools`: the record key names the Python function, `inputSchema` gives its signature and
 * validation, `outputSchema` its return type. Schemas go through the same reader as
 * `defineTool` (Zod 4, other Standard Schemas, or the AI SDK's `jsonSchema()`), so hints,
 * defaults and error messages are identical. Nothing is imported from `ai`: the shape is
 * duck-typed, which keeps this layer light and works with ai@5 and ai@6 tools alike.
 */
import { randomUUID } from "node:crypto";
import { errorText } from "../../error-text.js";
import { ToolDefinitionError } from "../../errors.js";
import { isPlainObject } from "../../plain-object.js";
import { createValidator } from "../call/validate-arguments.js";
import { assertToolName } from "../python/names.js";
import {
  compileParameters,
  compileSchema,
  isStandardSchema,
  type SchemaSpec,
  type StandardSchemaLike,
} from "../schema/compile.js";
import type { SchemaIssue } from "../schema/validate.js";
import type {
  Compensate,
  JsonSchema,
  NeedsApproval,
  Tool,
  ToolAnnotations,
  ToolContext,
} from "../types.js";
import { checkAnnotations } from "./annotations.js";
import { checkCompensate, checkNeedsApproval, freezeTool, isTool } from "./define-tool.js";
import { parametersFromSchema } from "./parameters.js";

/** The parts of an AI SDK `Tool` codemode reads. Any `tool({ ... })` from `ai` fits. */
export interface AiSdkToolLike {
  description?: string | undefined;
  /** Zod / Standard Schema, `jsonSchema({...})`, or a `lazySchema` function. */
  inputSchema: unknown;
  outputSchema?: unknown;
  execute?: ((input: never, options: never) => unknown) | undefined;
  /** `"function"` (default), `"dynamic"` (e.g. MCP tools) or `"provider"` (run by the provider). */
  type?: string | undefined;
  id?: string | undefined;
  needsApproval?: unknown;
}

/** What codemode adds to an AI SDK tool, which has no place for it. */
export interface FromAiSdkToolOptions {
  /**
   * What the tool's calls do to the world, in MCP's words (`{ readOnlyHint: true }`).
   * Without them the tool is treated as having side effects.
   */
  annotations?: ToolAnnotations;
  /** Undoes a completed call when a run with `compensateOnFailure` ends failed or cancelled. */
  compensate?: Compensate;
}

/** What an AI SDK tool's `execute` receives as its second argument. */
export interface AiSdkToolCallOptions {
  /** Unique per call: `codemode-<callSeq>-<uuid>`. */
  toolCallId: string;
  /** Always empty: the calls come from a Python program, not from a model message. */
  messages: never[];
  /** Aborted when the run is cancelled or the call times out. */
  abortSignal: AbortSignal;
}

// `jsonSchema()` marks its schemas with this registered symbol (see @ai-sdk/provider-utils).
const AI_SDK_SCHEMA = Symbol.for("vercel.ai.schema");

/**
 * True for an object shaped like an AI SDK tool: it has an `inputSchema` and is not a
 * codemode `Tool`. Used by `normalizeTools` to route record values here.
 */
export function isAiSdkTool(value: unknown): value is AiSdkToolLike {
  return (
    typeof value === "object" &&
    value !== null &&
    !isTool(value) &&
    "inputSchema" in value &&
    (value as { inputSchema?: unknown }).inputSchema !== undefined
  );
}

/**
 * A codemode tool named `name` from an AI SDK tool. Python's keyword arguments become the
 * `input` object; `execute(input, { toolCallId, messages: [], abortSignal })` runs on the
 * host, and a streaming tool's last yielded value is the result. Throws ToolDefinitionError
 * for a tool codemode cannot run (no `execute`, provider-executed) or for `options` of the
 * wrong shape.
 */
export function fromAiSdkTool(
  name: string,
  aiTool: AiSdkToolLike,
  options: FromAiSdkToolOptions = {},
): Tool {
  assertToolName(name);
  const label = `AI SDK tool "${name}"`;
  if (typeof options !== "object" || options === null) {
    throw new ToolDefinitionError(
      `${label}: the third argument must be { annotations?, compensate? } (got ${options === null ? "null" : typeof options}).`,
    );
  }
  const annotations = checkAnnotations(options.annotations, label);
  checkCompensate(options.compensate, label);
  if (!isAiSdkTool(aiTool)) {
    throw new ToolDefinitionError(
      `${label} is not an AI SDK tool: expected tool({ description, inputSchema, execute }) from "ai".`,
    );
  }
  if (aiTool.type === "provider") {
    throw new ToolDefinitionError(
      `${label}${aiTool.id ? ` (${aiTool.id})` : ""} is executed by the model provider, so ` +
        "Python code cannot call it. Leave it out of codemode's tools and keep it in the " +
        "tools you pass to generateText/streamText.",
    );
  }
  const run = aiTool.execute;
  if (typeof run !== "function") {
    throw new ToolDefinitionError(
      `${label} has no execute function, so codemode cannot run it (the AI SDK would leave ` +
        "such a call to the client). Add execute: async (input, options) => ... or leave the " +
        "tool out of codemode's tools.",
    );
  }
  checkNeedsApproval(aiTool.needsApproval, label);
  const needsApproval = aiSdkNeedsApproval(aiTool);
  if (aiTool.description !== undefined && typeof aiTool.description !== "string") {
    throw new ToolDefinitionError(`${label}: description must be a string.`);
  }
  const input = compileParameters(
    schemaSpec(aiTool.inputSchema, `${label} inputSchema`),
    `${label} inputSchema`,
  );
  const parameters = Object.freeze(parametersFromSchema(name, input.jsonSchema));
  const outputSchema =
    aiTool.outputSchema === undefined
      ? undefined
      : compileSchema(
          schemaSpec(aiTool.outputSchema, `${label} outputSchema`),
          "output",
          `${label} outputSchema`,
        ).jsonSchema;
  const execute = run as (input: unknown, options: AiSdkToolCallOptions) => unknown;
  return freezeTool({
    name,
    description: aiTool.description ?? "",
    parameters,
    inputSchema: input.jsonSchema,
    outputSchema,
    validate: createValidator(parameters, input),
    execute: (args, context: ToolContext) => {
      const options: AiSdkToolCallOptions = {
        toolCallId: `codemode-${context.callSeq}-${randomUUID()}`,
        messages: [],
        abortSignal: context.signal,
      };
      return lastValue(execute.call(aiTool, args, options));
    },
    durable: undefined,
    needsApproval,
    annotations,
    compensate: options.compensate,
  });
}

/**
 * The AI SDK's `needsApproval` as codemode's: a function gets the arguments and call
 * options, as the AI SDK gives them (there are no model messages inside a program).
 */
function aiSdkNeedsApproval(aiTool: AiSdkToolLike): NeedsApproval | undefined {
  const given = aiTool.needsApproval;
  if (typeof given !== "function") return given === true ? true : undefined;
  return (input) =>
    (given as (input: unknown, options: unknown) => boolean | PromiseLike<boolean>).call(
      aiTool,
      input,
      { toolCallId: `codemode-approval-${randomUUID()}`, messages: [] },
    );
}

/**
 * `inputSchema` / `outputSchema` as something `compileSchema` reads: Standard Schemas
 * (Zod 4, Valibot, ArkType...) pass through; a `jsonSchema()` schema becomes its JSON
 * Schema, validated by its own `validate` when it has one.
 */
function schemaSpec(flexible: unknown, label: string, depth = 0): SchemaSpec {
  // Checked first: some Standard Schemas (ArkType) are functions.
  if (isStandardSchema(flexible)) return flexible;
  if (typeof flexible === "object" && flexible !== null && AI_SDK_SCHEMA in flexible) {
    return fromAiSdkSchema(flexible as unknown as AiSdkSchemaLike, label);
  }
  if (typeof flexible === "function" && depth === 0) {
    // lazySchema(() => jsonSchema(...)): a function returning the schema.
    let created: unknown;
    try {
      created = (flexible as () => unknown)();
    } catch (error) {
      throw new ToolDefinitionError(
        `${label}: creating the lazy schema failed (${errorText(error)}).`,
        {
          cause: error,
        },
      );
    }
    return schemaSpec(created, label, depth + 1);
  }
  if (isPlainObject(flexible)) return flexible;
  throw new ToolDefinitionError(
    `${label}: expected a Zod schema, jsonSchema({...}) or another Standard Schema, got ` +
      `${flexible === null ? "null" : typeof flexible}.`,
  );
}

interface AiSdkSchemaLike {
  readonly jsonSchema: unknown;
  readonly validate?: (
    value: unknown,
  ) => AiSdkValidation | PromiseLike<AiSdkValidation> | undefined | null;
}

type AiSdkValidation = { success: true; value: unknown } | { success: false; error: unknown };

function fromAiSdkSchema(schema: AiSdkSchemaLike, label: string): SchemaSpec {
  let json: unknown;
  try {
    json = schema.jsonSchema;
  } catch (error) {
    throw new ToolDefinitionError(
      `${label}: reading its JSON Schema failed (${errorText(error)}).`,
      {
        cause: error,
      },
    );
  }
  if (isThenable(json)) {
    throw new ToolDefinitionError(
      `${label}: the JSON Schema is only available asynchronously (a Promise), but codemode ` +
        "reads tools synchronously. Await the schema first and pass jsonSchema(resolvedSchema).",
    );
  }
  if (!isPlainObject(json)) {
    throw new ToolDefinitionError(`${label}: jsonSchema() must hold a JSON Schema object.`);
  }
  const validate = schema.validate;
  if (typeof validate !== "function") return json as JsonSchema;
  // Wrapped as a Standard Schema so the tool keeps the schema's own validation.
  const standard: StandardSchemaLike & { "~standard": Record<string, unknown> } = {
    "~standard": {
      vendor: "ai-sdk",
      version: 1,
      jsonSchema: { input: () => json, output: () => json },
      validate: (value: unknown) => {
        const result = validate.call(schema, value);
        return isThenable(result)
          ? Promise.resolve(result).then(standardResult)
          : standardResult(result);
      },
    },
  };
  return standard;
}

function standardResult(result: AiSdkValidation | undefined | null) {
  if (!result || result.success) return { value: result ? result.value : undefined };
  const error = result.error as { message?: unknown; issues?: unknown } | undefined;
  // Zod errors carry issues with paths; anything else is one message.
  if (Array.isArray(error?.issues) && error.issues.length > 0) {
    return {
      issues: error.issues.map((issue: { message?: unknown; path?: unknown }) => ({
        message: typeof issue.message === "string" ? issue.message : "invalid value",
        path: Array.isArray(issue.path) ? issue.path : [],
      })),
    };
  }
  const message = typeof error?.message === "string" ? error.message : String(result.error);
  return { issues: [{ message, path: [] } satisfies SchemaIssue] };
}

/** The awaited result; for a streaming tool (an async iterable), its last value. */
async function lastValue(result: unknown): Promise<unknown> {
  const value = await result;
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function"
  ) {
    let last: unknown;
    for await (const item of value as AsyncIterable<unknown>) last = item;
    return last;
  }
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
