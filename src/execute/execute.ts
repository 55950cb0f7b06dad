/**
 * `execute(code, options)`: run one Python program against the host's tools and
 * return a faithful record of what happened (Flyte's `orchestrate_local`). The one program
 * pipeline: the agent, `codeModeTool`, the MCP server's `run_python` and the durable worker
 * all run programs through here, so they type-check, run and report failures alike.
 */
import { InvalidOptionsError } from "../errors.js";
import { resolveLimits } from "../sandbox/limits.js";
import { abortOutcome } from "../sandbox/pool.js";
import { PARALLEL_MAP } from "../sandbox/runner.js";
import { formatDiagnostics, type TypeDiagnostic } from "../sandbox/type-check.js";
import { toPython } from "../sandbox/values.js";
import { type ToolSetInput, type ToolSource, toolSource } from "../tools/define/tool-set.js";
import { withToolDiscovery } from "../tools/discovery/discovery-tools.js";
import { isPythonIdentifier } from "../tools/python/names.js";
import { parallelMapOverloads, pythonStub } from "../tools/python/signature.js";
import type { Tool } from "../tools/types.js";
import { traceProgramNotRun } from "../tracing/execute-span.js";
import { ExecutionRun, sandboxOf } from "./execution-run.js";
import { suspensionKey } from "./suspension-check.js";
import type { ExecuteOptions, ExecutionError, ExecutionResult } from "./types.js";

export async function execute(
  code: string,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const t0 = performance.now();
  if (typeof code !== "string") {
    throw new InvalidOptionsError(`execute() needs the program as a string (got ${typeof code}).`);
  }
  const isolation = options.isolation ?? "process";
  if (isolation !== "process" && isolation !== "in-process") {
    throw new InvalidOptionsError(
      `isolation must be "process" or "in-process" (got ${String(isolation)}).`,
    );
  }
  const { toolsByName, stub, tools } = executionTools(options);
  resolveLimits(options.limits); // bad limits throw here, before any type check
  suspensionKey(options.suspensionSecret); // and a bad secret, before the run suspends
  const inputs = {
    ...convertInputs(options.inputs, toolsByName),
    ...stateInputs(options, toolsByName),
  };

  if (options.typeCheck === true && code.trim() !== "") {
    const checked = stub() + mappedToolOverloads(code, tools) + inputDeclarations(inputs);
    const diagnostics = await typeCheck(code, checked, options);
    if (options.signal?.aborted) {
      const cancelled = abortOutcome(options.signal);
      if (!cancelled.ok) return { ok: false, error: cancelled.error, ...emptyRun(t0) };
    }
    if (diagnostics.length > 0) {
      const error: ExecutionError = {
        type: "TypeCheckError",
        message: `Type check failed, nothing ran:\n${formatDiagnostics(diagnostics)}`,
        line: diagnostics[0]!.line,
      };
      traceTypeCheckFailure(code, error, options);
      return { ok: false, error, ...emptyRun(t0) };
    }
  }

  return new ExecutionRun(toolsByName, options, code, t0).start({
    code,
    inputs,
    toolNames: [...toolsByName.keys()],
    ...(options.keepState ? { keepState: true } : {}),
  });
}

/** The earlier run's variables, checked like inputs (a state is handed back by callers). */
function stateInputs(
  options: ExecuteOptions,
  tools: ReadonlyMap<string, Tool>,
): Record<string, unknown> {
  const state = options.state;
  if (state === undefined) return {};
  const variables = (state as { variables?: unknown } | null)?.variables;
  if (variables === null || typeof variables !== "object" || Array.isArray(variables)) {
    throw new InvalidOptionsError(
      "`state` must be the `state` of an earlier execute() result ({ variables, dropped }).",
    );
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(variables)) {
    // A tool set that changed since (a live MCP server) may now have a tool of that name:
    // the tool wins, the program sees the function.
    if (tools.has(name)) continue;
    if (
      !isPythonIdentifier(name) ||
      name.startsWith("__codemode") ||
      Object.hasOwn(options.inputs ?? {}, name)
    ) {
      throw new InvalidOptionsError(
        `state variable "${name}" is not a Python name, or is also an input; pass the state of an earlier run as it is.`,
      );
    }
    out[name] = value;
  }
  return out;
}

function convertInputs(
  inputs: Record<string, unknown> | undefined,
  tools: ReadonlyMap<string, Tool>,
): Record<string, unknown> {
  if (inputs === undefined) return {};
  if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs)) {
    throw new InvalidOptionsError("`inputs` must be an object mapping variable names to values.");
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (!isPythonIdentifier(name)) {
      throw new InvalidOptionsError(
        `Input "${name}" is not a valid Python variable name; use letters, digits and _.`,
      );
    }
    if (name.startsWith("__codemode")) {
      throw new InvalidOptionsError(
        `Input "${name}" is reserved: names starting with __codemode are the sandbox's own.`,
      );
    }
    if (tools.has(name)) {
      throw new InvalidOptionsError(
        `Input "${name}" has the same name as a tool; rename one of them.`,
      );
    }
    out[name] = toPython(value, `inputs.${name}`);
  }
  return out;
}

/** The run's tools by name (and their stub), as every segment of a run sees them. */
export function executionTools(options: ExecuteOptions): {
  toolsByName: Map<string, Tool>;
  stub: () => string;
  tools: readonly Tool[];
} {
  const { tools, stub } = discoveryTools(preparedTools(options.tools ?? NO_TOOLS), options);
  return { toolsByName: new Map<string, Tool>(tools.map((t) => [t.name, t])), stub, tools };
}

/**
 * `parallel_map` overloads for the tools the program maps by name (`parallel_map(get_orders,
 * ...)` or `parallel_map("get_orders", ...)`), so the keywords passed to every call are
 * checked against that tool's signature.
 */
function mappedToolOverloads(code: string, tools: readonly Tool[]): string {
  if (!code.includes(PARALLEL_MAP)) return "";
  const names = [...code.matchAll(/\bparallel_map\(\s*(["']?)([A-Za-z_]\w*)\1/g)].map((m) => m[2]!);
  const overloads = parallelMapOverloads(tools, names);
  return overloads === "" ? "" : `\n\n${overloads}\n`;
}

/** A program the type check stopped still gets its `execute_code` span, failed, with the line. */
function traceTypeCheckFailure(code: string, error: ExecutionError, options: ExecuteOptions): void {
  traceProgramNotRun({ code, isolation: options.isolation, telemetry: options.telemetry }, error);
}

function emptyRun(t0: number) {
  return { output: "", toolCalls: [], durationMs: performance.now() - t0 };
}

/** In the run's sandbox: off the host's event loop in a pool (the checker takes ~40 ms of CPU cold). */
function typeCheck(code: string, stub: string, options: ExecuteOptions): Promise<TypeDiagnostic[]> {
  return sandboxOf(options).typeCheck(code, stub, options.signal);
}

/** Inputs are variables the checker must know; their values can be anything. */
function inputDeclarations(inputs: Record<string, unknown>): string {
  const names = Object.keys(inputs);
  if (names.length === 0) return "";
  return `\n\n${names.map((name) => `${name}: Any = None`).join("\n")}\n`;
}

/**
 * The normalized tools and their type-check stub, kept per tool source and its `version`:
 * an agent or a `run_python` tool executes against the same set every time, and rendering
 * the stub of a large set costs more than the run. A source that changed (a live MCP set
 * whose server sent `tools/list_changed`, a list the caller edited) has a new version.
 */
const NO_TOOLS: ToolSetInput = Object.freeze([]);

interface PreparedToolSet {
  version: number;
  tools: readonly Tool[];
  stub?: string;
}
const prepared = new WeakMap<ToolSource, PreparedToolSet>();

function preparedTools(input: ToolSetInput): { tools: readonly Tool[]; stub: () => string } {
  const source = toolSource(input);
  const tools = source.current();
  let entry = prepared.get(source);
  if (entry?.version !== source.version) {
    entry = { version: source.version, tools };
    prepared.set(source, entry);
  }
  const cached: PreparedToolSet = entry;
  return {
    tools: cached.tools,
    stub: () => {
      cached.stub ??= pythonStub(cached.tools);
      return cached.stub;
    },
  };
}

/** With `toolDiscovery`: the tools plus `search_tools` and `describe_tool` over them. */
function discoveryTools(
  set: { tools: readonly Tool[]; stub: () => string },
  options: ExecuteOptions,
): { tools: readonly Tool[]; stub: () => string } {
  if (options.toolDiscovery !== true) return set;
  const tools = withToolDiscovery(set.tools);
  return { tools, stub: () => pythonStub(tools) };
}
