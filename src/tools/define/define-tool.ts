/**
 * The two ways to make a `Tool`: `defineTool` for a described, schema-checked tool, and
 * `functionTool` for a plain JS function whose parameters are read from its source.
 * Both settle everything at definition time (name, JSON Schema, parameters), so mistakes
 * surface when the tool is built rather than in the middle of a model's run.
 */
import { ToolDefinitionError } from "../../errors.js";
import { createValidator } from "../call/validate-arguments.js";
import { assertToolName } from "../python/names.js";
import { compileParameters, compileSchema, type SchemaSpec } from "../schema/compile.js";
import type {
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
} from "../types.js";
import { checkAnnotations } from "./annotations.js";
import { isClassSource, parseFunctionParameters } from "./function-params.js";
import { parametersFromSchema } from "./parameters.js";

/** What `execute` receives for a parameters schema: its parsed (output) type when known. */
export type InferParameters<P> = P extends { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly output: infer O }
    ? O
    : Record<string, unknown>
  : Record<string, unknown>;

/** What `execute` should return for a returns schema: its input type when known. */
export type InferReturns<R> = R extends { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly input: infer I }
    ? I
    : unknown
  : unknown;

export interface ToolDefinition<
  P extends SchemaSpec | undefined = SchemaSpec | undefined,
  R extends SchemaSpec | undefined = SchemaSpec | undefined,
> {
  /** The Python function name: a valid identifier, e.g. `fetch_data`. */
  name: string;
  /** What the tool does, for the model; becomes the Python docstring. */
  description?: string;
  /**
   * The keyword arguments, as one object schema: `z.object({...})`, another Standard
   * Schema that can emit JSON Schema, or a JSON Schema `{ type: "object", ... }`.
   * Property order is positional order. Omit for a tool without arguments.
   * (The AI SDK's name for it, so a `tool({ inputSchema })` definition reads the same.)
   */
  inputSchema?: P;
  /**
   * The return value's schema, shown as the Python return type (and its TypedDicts).
   * Not enforced.
   */
  outputSchema?: R;
  /** Alias of `inputSchema` (the name codemode used first). Give one or the other. */
  parameters?: P;
  /** Alias of `outputSchema`. Give one or the other. */
  returns?: R;
  /** Runs on the host with validated arguments (defaults applied). */
  execute: (
    input: InferParameters<P>,
    context: ToolContext,
  ) => InferReturns<R> | Promise<InferReturns<R>>;
  /** Marks the tool as durable (see the durable layer). */
  durable?: DurableToolOptions;
  /**
   * Milliseconds one call may take before Python sees a `TimeoutError` (the `signal` in
   * the context is aborted too). Default: the run's `limits.toolTimeoutMs` (20 s).
   */
  timeoutMs?: number;
  /**
   * A human approves each call before it runs: `true`, or a function of the validated
   * arguments (`({ amount }) => amount > 100`). See docs/approvals.md.
   */
  needsApproval?: boolean | ((input: InferParameters<P>) => boolean | PromiseLike<boolean>);
  /**
   * What the tool's calls do to the world, in MCP's words: `{ readOnlyHint: true }` for a
   * lookup, `{ idempotentHint: true }` for a call that is harmless to repeat. Without them
   * the tool is treated as having side effects: a retry replays its completed calls instead
   * of running them again. See docs/side-effects.md.
   */
  annotations?: ToolAnnotations;
  /**
   * Undoes a completed call (`(input, result, context) => ...`), run once per call, newest
   * first, when a run with `compensateOnFailure: true` ends failed or cancelled.
   */
  compensate?: (
    input: InferParameters<P>,
    result: Awaited<InferReturns<R>>,
    context: CompensationContext,
  ) => unknown;
}

/**
 * A tool from a name, description, schemas and an `execute` function. Throws
 * ToolDefinitionError when the name is not a usable Python identifier or a schema cannot
 * be read as JSON Schema.
 */
export function defineTool<
  P extends SchemaSpec | undefined = undefined,
  R extends SchemaSpec | undefined = undefined,
>(definition: ToolDefinition<P, R>): Tool {
  if (typeof definition !== "object" || definition === null) {
    throw new ToolDefinitionError(
      "defineTool() expects an object: { name, description, inputSchema, execute }.",
    );
  }
  const { name, description, execute, durable, timeoutMs, needsApproval, compensate } = definition;
  assertToolName(name);
  checkNeedsApproval(needsApproval, `Tool "${name}"`);
  const annotations = checkAnnotations(definition.annotations, `Tool "${name}"`);
  checkCompensate(compensate, `Tool "${name}"`);
  // Error messages name the key the user wrote.
  const [parameters, inputKey] = schemaUnderEitherName(definition, "inputSchema", "parameters");
  const [returns, outputKey] = schemaUnderEitherName(definition, "outputSchema", "returns");
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
    throw new ToolDefinitionError(
      `Tool "${name}": timeoutMs must be a positive number of milliseconds (got ${String(timeoutMs)}).`,
    );
  }
  if (description !== undefined && typeof description !== "string") {
    throw new ToolDefinitionError(`Tool "${name}": description must be a string.`);
  }
  if (typeof execute !== "function") {
    throw new ToolDefinitionError(
      `Tool "${name}": execute must be a function (input, context) => result.`,
    );
  }
  const input = compileParameters(parameters, `Tool "${name}" ${inputKey}`);
  const toolParameters = Object.freeze(parametersFromSchema(name, input.jsonSchema));
  const outputSchema =
    returns === undefined
      ? undefined
      : compileSchema(returns, "output", `Tool "${name}" ${outputKey}`).jsonSchema;
  return freezeTool({
    name,
    description: description ?? "",
    parameters: toolParameters,
    inputSchema: input.jsonSchema,
    outputSchema,
    validate: createValidator(toolParameters, input),
    execute: (args, context) => execute.call(definition, args as InferParameters<P>, context),
    durable: durable === undefined ? undefined : Object.freeze({ ...durable }),
    timeoutMs,
    needsApproval: needsApproval as NeedsApproval | undefined,
    annotations,
    compensate:
      compensate === undefined
        ? undefined
        : (input, result, context) =>
            compensate.call(
              definition,
              input as InferParameters<P>,
              result as Awaited<InferReturns<R>>,
              context,
            ),
  });
}

/** `compensate` must be a function; anything else would silently undo nothing. */
export function checkCompensate(value: unknown, label: string): void {
  if (value === undefined || typeof value === "function") return;
  throw new ToolDefinitionError(
    `${label}: compensate must be a function (input, result, context) => ... that undoes ` +
      `one completed call, e.g. compensate: ({ order_id }, refund) => cancelRefund(refund.id) ` +
      `(got ${value === null ? "null" : typeof value}).`,
  );
}

/** `needsApproval` must be a boolean or a function; anything else would be a silent no. */
export function checkNeedsApproval(value: unknown, label: string): void {
  if (value === undefined || typeof value === "boolean" || typeof value === "function") return;
  throw new ToolDefinitionError(
    `${label}: needsApproval must be true, false or a function of the arguments (got ${typeof value}).`,
  );
}

/**
 * The schema given as `aiSdkName` or as its older alias, and the key it came under. Both
 * at once would leave one of them silently ignored, so that is refused.
 */
function schemaUnderEitherName(
  definition: Pick<
    ToolDefinition,
    "name" | "inputSchema" | "outputSchema" | "parameters" | "returns"
  >,
  aiSdkName: "inputSchema" | "outputSchema",
  alias: "parameters" | "returns",
): [SchemaSpec | undefined, string] {
  const primary = definition[aiSdkName];
  const aliased = definition[alias];
  if (primary !== undefined && aliased !== undefined) {
    throw new ToolDefinitionError(
      `Tool "${definition.name}": give ${aiSdkName} or its alias ${alias}, not both ` +
        `(keep ${aiSdkName}, the AI SDK's name).`,
    );
  }
  return primary !== undefined ? [primary, aiSdkName] : [aliased, alias];
}

/** A JS function with an optional `description` property (shown as its docstring). */
type DescribedFunction = ((...args: never[]) => unknown) & { description?: unknown };

/**
 * A plain JS function as a tool, called with positional arguments. The name is `name` or
 * `fn.name`; parameter names come from the function's source and are typed `Any`; simple
 * literal defaults (`b = 2`) appear in the signature, other defaults as `= None`. Set a
 * `description` property on the function to give it a docstring.
 */
export function functionTool(fn: DescribedFunction, name?: string): Tool {
  if (typeof fn !== "function") {
    throw new ToolDefinitionError(
      `functionTool() expects a function, got ${fn === null ? "null" : typeof fn}.`,
    );
  }
  if (isClassSource(fn)) {
    throw new ToolDefinitionError(
      `"${fn.name}" is a class, not a function: wrap the method you want in a function or defineTool().`,
    );
  }
  const toolName = name ?? fn.name.replace(/^bound /, "");
  if (toolName === "" || toolName === "anonymous") {
    throw new ToolDefinitionError(
      "functionTool() got an anonymous function, so the tool has no name: key it in a " +
        'record such as { my_tool: fn }, or use defineTool({ name: "my_tool", ... }).',
    );
  }
  assertToolName(toolName);

  const parameters = parseFunctionParameters(fn).map((p): ToolParameter => {
    const parameter: ToolParameter = {
      name: p.name,
      schema: p.rest ? { type: "array", items: {} } : {},
      required: !p.optional,
      hasDefault: p.defaultValue !== undefined,
    };
    if (p.defaultValue) {
      parameter.defaultValue = p.defaultValue.value;
      parameter.schema = { default: p.defaultValue.value };
    }
    if (p.rest) parameter.variadic = true;
    return Object.freeze(parameter);
  });
  Object.freeze(parameters);
  const inputSchema: JsonSchema = {
    type: "object",
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
  };
  const input = compileSchema(inputSchema, "input", `Tool "${toolName}" parameters`);

  return freezeTool({
    name: toolName,
    description: typeof fn.description === "string" ? fn.description : "",
    parameters,
    inputSchema: input.jsonSchema,
    outputSchema: undefined,
    validate: createValidator(parameters, input),
    execute: (args) =>
      (fn as (...a: unknown[]) => unknown)(...positionalArguments(parameters, args)),
    durable: undefined,
  });
}

/** The bound argument object back in positional order, for calling a plain function. */
function positionalArguments(
  parameters: readonly ToolParameter[],
  args: Record<string, unknown>,
): unknown[] {
  const out: unknown[] = [];
  for (const p of parameters) {
    let value = Object.hasOwn(args, p.name) ? args[p.name] : undefined;
    if (p.variadic) {
      if (Array.isArray(value)) out.push(...value);
      else if (value !== undefined && value !== null) out.push(value);
      continue;
    }
    // `x=None` on a parameter whose signature shows `= None` means "use the JS default".
    if (value === null && !p.required && !p.hasDefault) value = undefined;
    out.push(value);
  }
  // Trailing undefineds are dropped so `arguments.length` matches what was passed.
  while (out.length > 0 && out[out.length - 1] === undefined) out.pop();
  return out;
}

/** True when `value` has the shape of a `Tool` (from any source, not only defineTool). */
export function isTool(value: unknown): value is Tool {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Partial<Record<keyof Tool, unknown>>;
  return (
    typeof t.name === "string" &&
    typeof t.description === "string" &&
    Array.isArray(t.parameters) &&
    typeof t.inputSchema === "object" &&
    t.inputSchema !== null &&
    typeof t.validate === "function" &&
    typeof t.execute === "function"
  );
}

interface ToolParts {
  name: string;
  description: string;
  parameters: readonly ToolParameter[];
  inputSchema: JsonSchema;
  outputSchema: JsonSchema | undefined;
  validate: (input: Record<string, unknown>) => ValidationResult | Promise<ValidationResult>;
  execute: (input: Record<string, unknown>, context: ToolContext) => unknown;
  durable: DurableToolOptions | undefined;
  timeoutMs?: number | undefined;
  needsApproval?: NeedsApproval | undefined;
  annotations?: ToolAnnotations | undefined;
  compensate?: Compensate | undefined;
}

/** A frozen Tool without `undefined` optional fields (they would show up in spreads/JSON). */
export function freezeTool(parts: ToolParts): Tool {
  const { outputSchema, durable, timeoutMs, needsApproval, annotations, compensate, ...rest } =
    parts;
  const tool: Tool = {
    ...rest,
    ...(outputSchema === undefined ? {} : { outputSchema }),
    ...(durable === undefined ? {} : { durable }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    // `false` is the same as absent: nothing to ask.
    ...(needsApproval === undefined || needsApproval === false ? {} : { needsApproval }),
    ...(annotations === undefined ? {} : { annotations }),
    ...(compensate === undefined ? {} : { compensate }),
  };
  return Object.freeze(tool);
}

/**
 * Everything a tool is made of, calling through to it: the start of a copy that changes
 * one part (`renameTool`, `durableTool`), so no copy forgets a part.
 */
export function toolParts(tool: Tool): ToolParts {
  return {
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    validate: (input) => tool.validate(input),
    execute: (input, context) => tool.execute(input, context),
    durable: tool.durable,
    timeoutMs: tool.timeoutMs,
    needsApproval: tool.needsApproval,
    annotations: tool.annotations,
    compensate: tool.compensate,
  };
}
