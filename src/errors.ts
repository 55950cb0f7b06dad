/**
 * Every error codemode throws at the host is a `CodeModeError`. Each subclass has a
 * stable `code` and a message that says what to do next.
 */
export class CodeModeError extends Error {
  readonly code: string = "CODEMODE_ERROR";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A tool definition or tool set is malformed (duplicate names, bad schema, bad name). */
export class ToolDefinitionError extends CodeModeError {
  override readonly code: string = "TOOL_DEFINITION";
}

/** Options passed to `execute()` (or a limit value) are invalid. */
export class InvalidOptionsError extends CodeModeError {
  override readonly code: string = "INVALID_OPTIONS";
}

/**
 * Arguments the sandboxed code passed to a tool did not match the tool's schema.
 * Reaches Python as `TypeError`.
 */
export class ToolArgumentError extends CodeModeError {
  override readonly code: string = "TOOL_ARGUMENTS";
}

/**
 * Throw this from a tool to choose the Python exception type the code sees,
 * e.g. `throw new ToolError("no such dataset", { pythonType: "KeyError" })`.
 */
export class ToolError extends CodeModeError {
  override readonly code: string = "TOOL_ERROR";
  readonly pythonType: string;
  constructor(message: string, options?: { pythonType?: string; cause?: unknown }) {
    super(message, options);
    this.pythonType = options?.pythonType ?? "RuntimeError";
  }
}

/** A JS value cannot be handed to Python (a function, a symbol, a cycle, too deep). */
export class ValueConversionError extends CodeModeError {
  override readonly code: string = "VALUE_CONVERSION";
}

/** The LLM could not be reached or configured (missing key, unknown provider, HTTP failure). */
export class LlmError extends CodeModeError {
  override readonly code: string = "LLM_ERROR";
  /** HTTP status when the provider answered with one. */
  readonly status?: number;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** An API key the chosen provider needs is not set. */
export class MissingApiKeyError extends LlmError {
  override readonly code: string = "MISSING_API_KEY";
  /** The environment variable that would hold the key, e.g. `ANTHROPIC_API_KEY`. */
  readonly envVar?: string;
  constructor(message: string, options?: { cause?: unknown; envVar?: string }) {
    super(message, options);
    if (options?.envVar !== undefined) this.envVar = options.envVar;
  }
}

/**
 * `agent.resume()` refused a continuation: `reason` says why (`malformed`, `tampered`,
 * `version`, `tools`, `used`, `too-large`). Nothing ran.
 */
export class ContinuationError extends CodeModeError {
  override readonly code: string = "CONTINUATION";
  constructor(
    readonly reason: "malformed" | "tampered" | "version" | "tools" | "used" | "too-large",
    message: string,
  ) {
    super(`Cannot resume: ${message}.`);
  }
}

/**
 * `agent.run(message, history, { state })` refused the conversation state it was given:
 * `reason` says why (`not-state`: not a `ProgramState` or a sealed state; `other-chat`: it
 * belongs to another chat; `tampered`: a sealed state whose signature does not match). The
 * run does not reject: it starts without variables and reports this as `result.stateError`
 * and a `state_refused` event.
 */
export class ConversationStateError extends CodeModeError {
  override readonly code: string = "CONVERSATION_STATE";
  constructor(
    readonly reason: "not-state" | "other-chat" | "tampered",
    message: string,
  ) {
    super(`Conversation state refused, the run starts without it: ${message}.`);
  }

  /** As JSON (a chat server streams results): the code, reason and message. */
  toJSON(): { name: string; code: string; reason: string; message: string } {
    return { name: this.name, code: this.code, reason: this.reason, message: this.message };
  }
}
