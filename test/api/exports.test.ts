/**
 * The public API, name by name: the sorted export names of every entry point, values (what
 * `import` gives at run time) and types (what only TypeScript sees) apart. A change here is
 * an API decision: adding a name makes it something users may rely on, removing one breaks
 * them. Update the list in the same change as the export, and say why in the commit.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { packagesLoadedBy } from "./loaded-packages.js";

const ENTRIES = {
  codemode: "src/index.ts",
  "codemode/ai-sdk": "src/ai-sdk/index.ts",
  "codemode/mcp": "src/mcp/index.ts",
  "codemode/openapi": "src/openapi/index.ts",
  "codemode/server": "src/server/index.ts",
  "codemode/durable": "src/durable/index.ts",
  "codemode/eval": "src/eval/index.ts",
} as const;
type Entry = keyof typeof ENTRIES;

const EXPECTED: Record<Entry, { values: string[]; types: string[] }> = {
  codemode: {
    values: [
      "CodeModeAgent",
      "CodeModeError",
      "ContinuationError",
      "ConversationStateError",
      "DEFAULT_LIMITS",
      "InvalidOptionsError",
      "LlmError",
      "MissingApiKeyError",
      "SANDBOX_PYTHON_RULES",
      "SandboxPool",
      "ToolArgumentError",
      "ToolDefinitionError",
      "ToolError",
      "ValueConversionError",
      "closeDefaultSandboxPool",
      "createCallLlm",
      "createReplayCallLlm",
      "defineTool",
      "durableTool",
      "estimateTokens",
      "execute",
      "formatDiagnostics",
      "fromAiSdkTool",
      "functionTool",
      "normalizeTools",
      "pythonSignature",
      "pythonStub",
      "pythonToolDescription",
      "pythonToolListing",
      "resumeExecution",
      "typeCheckProgram",
    ],
    types: [
      "AgentApprovalOptions",
      "AgentContinuationOptions",
      "AgentEvent",
      "AgentResult",
      "AgentRunOptions",
      "AgentSandboxOptions",
      "AgentToolCall",
      "AgentTurn",
      "AgentTurnOptions",
      "AiSdkToolCallOptions",
      "AiSdkToolLike",
      "ApprovalDecision",
      "ApprovalDecisions",
      "ApprovalRequest",
      "CallLlm",
      "CallLlmOptions",
      "Chart",
      "ChatMessage",
      "CodeModeAgentOptions",
      "Compensate",
      "Compensation",
      "CompensationContext",
      "ConversationState",
      "CreateCallLlmOptions",
      "DurableToolOptions",
      "ExecuteOptions",
      "ExecutionError",
      "ExecutionErrorType",
      "ExecutionResult",
      "FromAiSdkToolOptions",
      "InferParameters",
      "InferReturns",
      "Isolation",
      "JsonSchema",
      "LimitErrorType",
      "LimitName",
      "Limits",
      "LlmReply",
      "NeedsApproval",
      "PendingApproval",
      "ProgramReview",
      "ProgramState",
      "ProviderFactory",
      "ProviderSettings",
      "PythonExceptionType",
      "RunErrorType",
      "SandboxPoolOptions",
      "SchemaSpec",
      "SideEffect",
      "Skill",
      "SuspendedExecution",
      "TelemetryOptions",
      "TokenUsage",
      "Tool",
      "ToolAnnotations",
      "ToolCallRecord",
      "ToolContext",
      "ToolDefinition",
      "ToolDescription",
      "ToolInput",
      "ToolMatch",
      "ToolParameter",
      "ToolSetInput",
      "TypeDiagnostic",
      "ValidationResult",
    ],
  },
  "codemode/ai-sdk": {
    values: ["codeModeTool"],
    types: ["CodeModeToolOptions", "RunPythonResult", "RunPythonToolCalls"],
  },
  "codemode/mcp": {
    values: [
      "McpConnectionError",
      "createCodeModeMcpServer",
      "mcpToolSets",
      "mcpTools",
      "serveCodeModeMcpHttp",
    ],
    types: [
      "AskResult",
      "CodeModeMcpHttpServer",
      "CodeModeMcpServerOptions",
      "McpAgentSettings",
      "McpHttpListenOptions",
      "McpHttpServer",
      "McpRename",
      "McpServerInfo",
      "McpServerSpec",
      "McpSkippedTool",
      "McpStdioServer",
      "McpToolSet",
      "McpToolsCommonOptions",
      "McpToolsOptions",
    ],
  },
  "codemode/openapi": {
    values: ["OpenApiError", "openApiTools"],
    types: [
      "OpenApiApprovalPolicy",
      "OpenApiAuth",
      "OpenApiCredential",
      "OpenApiCredentialSource",
      "OpenApiOperationInfo",
      "OpenApiProblem",
      "OpenApiRename",
      "OpenApiSkippedOperation",
      "OpenApiSource",
      "OpenApiToolSet",
      "OpenApiToolsOptions",
    ],
  },
  "codemode/server": {
    values: [
      "checkModelSetup",
      "createChatApp",
      "directoryChatStateStore",
      "directoryContinuationStore",
      "memoryChatStateStore",
      "memoryContinuationStore",
      "startChatServer",
    ],
    types: [
      "ChatAgent",
      "ChatAppOptions",
      "ChatAuthHook",
      "ChatDoneEvent",
      "ChatRunResult",
      "ChatServer",
      "ChatStateRecord",
      "ChatStateStore",
      "ChatStreamEvent",
      "ContinuationRecord",
      "ContinuationStore",
      "ModelSetup",
      "StartChatServerOptions",
    ],
  },
  "codemode/durable": {
    values: [
      "DurableChatAgent",
      "DurableRunError",
      "RestateUnavailableError",
      "cancelInvocation",
      "createDurableClient",
      "createDurableService",
      "createToolService",
      "registerDeployment",
      "remoteTool",
      "serveDurable",
    ],
    types: [
      "DurableApproveInput",
      "DurableChatAgentOptions",
      "DurableChatRunOptions",
      "DurableClient",
      "DurableClientOptions",
      "DurableConversationOptions",
      "DurableRunInput",
      "DurableRunOptions",
      "DurableRunResult",
      "DurableServiceDefinition",
      "DurableServiceOptions",
      "DurableVerdict",
      "DurableWorker",
      "RegisterDeploymentOptions",
      "RegisteredDeployment",
      "RemoteToolOptions",
      "ServeDurableOptions",
      "SubmittedRun",
      "ToolServiceOptions",
    ],
  },
  "codemode/eval": {
    values: ["TaskFileError", "evaluate", "formatReport", "loadTasks"],
    types: [
      "CheckFunction",
      "CheckOutcome",
      "CheckResult",
      "EvalAnswer",
      "EvalEvent",
      "EvalMode",
      "EvalReport",
      "EvalRun",
      "EvalTask",
      "EvalTaskInput",
      "EvalTaskSummary",
      "EvalToolCall",
      "EvalTotals",
      "EvaluateOptions",
      "Expectation",
      "TranscriptEntry",
    ],
  },
};

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Run-time exports, as a user's `import * as m from "codemode"` sees them. */
async function valueNames(entry: Entry): Promise<string[]> {
  const modules: Record<Entry, () => Promise<object>> = {
    codemode: () => import("codemode"),
    "codemode/ai-sdk": () => import("codemode/ai-sdk"),
    "codemode/mcp": () => import("codemode/mcp"),
    "codemode/openapi": () => import("codemode/openapi"),
    "codemode/server": () => import("codemode/server"),
    "codemode/durable": () => import("codemode/durable"),
    "codemode/eval": () => import("codemode/eval"),
  };
  return Object.keys(await modules[entry]()).sort();
}

/** Type-only exports, read by the TypeScript compiler from the entry's source. */
function typeOnlyNames(): Record<Entry, string[]> {
  const files = Object.values(ENTRIES).map((file) => `${root}${file}`);
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const out = {} as Record<Entry, string[]>;
  for (const [entry, file] of Object.entries(ENTRIES) as [Entry, string][]) {
    const source = program.getSourceFile(`${root}${file}`);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`TypeScript could not read ${file}`);
    out[entry] = checker
      .getExportsOfModule(moduleSymbol)
      .filter((symbol) => {
        const target =
          symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        const declaration = symbol.declarations?.[0];
        const typeOnly =
          declaration !== undefined &&
          ts.isExportSpecifier(declaration) &&
          (declaration.isTypeOnly || declaration.parent.parent.isTypeOnly);
        return typeOnly || !(target.flags & ts.SymbolFlags.Value);
      })
      .map((symbol) => symbol.name)
      .sort();
  }
  return out;
}

describe("public API", () => {
  it.each(Object.keys(ENTRIES) as Entry[])(
    "%s exports exactly the chosen values",
    async (entry) => {
      expect(await valueNames(entry)).toEqual(EXPECTED[entry].values);
    },
  );

  it("exports exactly the chosen types", () => {
    const types = typeOnlyNames();
    for (const entry of Object.keys(ENTRIES) as Entry[]) {
      expect({ entry, types: types[entry] }).toEqual({ entry, types: EXPECTED[entry].types });
    }
  });

  // The README's "Packages and entry points" table: what it says each entry holds must be
  // exported there, and the packages it says the entry loads must really load on import.
  const readme = readFileSync(`${root}README.md`, "utf8");
  const rows = [...readme.matchAll(/^\| `(codemode[^`]*)` \| (.*) \| (.*) \|$/gm)].map(
    ([, entry, holds, loads]) => ({
      entry: entry as Entry,
      holds: [...holds!.matchAll(/`([A-Za-z_]\w*)`/g)].map((m) => m[1]!),
      loads: [...loads!.matchAll(/`([@\w][\w./-]*)`/g)].map((m) => m[1]!),
    }),
  );

  it("the README's entry-point table names real exports", () => {
    expect(rows.map((r) => r.entry)).toEqual(Object.keys(ENTRIES));
    for (const row of rows) {
      expect(row.holds.length, row.entry).toBeGreaterThan(0);
      const missing = row.holds.filter((name) => !EXPECTED[row.entry].values.includes(name));
      expect({ entry: row.entry, missing }).toEqual({ entry: row.entry, missing: [] });
    }
  });

  it("the README's entry-point table says what each entry loads", async () => {
    // All entries at once: one fresh Node (and tsx) each, so the time is the slowest one's.
    const loadedBy = await Promise.all(
      rows.map((row) => packagesLoadedBy(`./${ENTRIES[row.entry]}`)),
    );
    for (const [i, row] of rows.entries()) {
      const loaded = loadedBy[i]!;
      expect({ entry: row.entry, loads: row.loads.filter((p) => !loaded.includes(p)) }).toEqual({
        entry: row.entry,
        loads: [],
      });
    }
  }, 120_000);
});
