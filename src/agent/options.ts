/**
 * `CodeModeAgentOptions` checked and resolved once, in the agent's constructor: every default
 * applied here, so the agent and its loop read plain values and never apply one again.
 */
import { InvalidOptionsError } from "../errors.js";
import type { ApprovalDecision, ApprovalRequest, Isolation } from "../execute/types.js";
import { createCallLlm } from "../llm/default-call-llm.js";
import type { CallLlm } from "../llm/types.js";
import type { Limits } from "../sandbox/limits.js";
import type { SandboxPool } from "../sandbox/pool.js";
import { DEFAULT_TOOL_LISTING_BUDGET } from "../tools/discovery/listing.js";
import type { TelemetryOptions } from "../tracing/spans.js";
import { type ContinuationKeys, claimInMemory, continuationKeys } from "./continuation.js";
import { DEFAULT_MAX_STATE_BYTES } from "./conversation-state.js";
import { loadSkills } from "./skills.js";
import type { CodeModeAgentOptions, ProgramReview } from "./types.js";

export const DEFAULT_MODEL = "anthropic:claude-haiku-4-5";
export const DEFAULT_MAX_OBSERVATION_BYTES = 10_000;

/** The agent's options with their defaults applied, checked. */
export interface ResolvedAgentOptions {
  readonly model: string;
  readonly maxRetries: number;
  /** `maxRetries + 1`: programs one turn may try. */
  readonly maxAttempts: number;
  readonly maxTurns: number;
  /** `maxTurns > 1`: the turn loop is on. */
  readonly loop: boolean;
  readonly maxObservationBytes: number;
  readonly maxStateBytes: number;
  readonly toolListing: "full" | "compact" | "auto";
  readonly toolListingBudget: number;
  readonly typeCheck: boolean;
  readonly compensateOnFailure: boolean;
  readonly callLlm: CallLlm;
  /** The skills' texts, loaded. */
  readonly skills: string[];
  readonly systemPromptPrefix: string | undefined;
  readonly now: Date | (() => Date) | undefined;
  readonly limits: Partial<Limits> | undefined;
  readonly isolation: Isolation | undefined;
  readonly pool: SandboxPool | undefined;
  readonly telemetry: TelemetryOptions | undefined;
  readonly onApproval:
    | ((request: ApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>)
    | undefined;
  readonly onProgram:
    | ((review: ProgramReview) => ApprovalDecision | Promise<ApprovalDecision>)
    | undefined;
  readonly claimContinuation: (id: string) => boolean | Promise<boolean>;
  readonly continuation: ContinuationKeys;
}

/** Each deprecated flat option and where it lives now: `[flat name, group, name in the group]`. */
const ALIASES = [
  ["maxTurns", "turns", "maxTurns"],
  ["maxRetries", "turns", "maxRetries"],
  ["maxObservationBytes", "turns", "maxObservationBytes"],
  ["maxStateBytes", "turns", "maxStateBytes"],
  ["isolation", "sandbox", "isolation"],
  ["pool", "sandbox", "pool"],
  ["limits", "sandbox", "limits"],
  ["typeCheck", "sandbox", "typeCheck"],
  ["onApproval", "approvals", "onApproval"],
  ["onProgram", "approvals", "onProgram"],
  ["continuationSecret", "continuations", "secret"],
  ["claimContinuation", "continuations", "claim"],
  ["maxContinuationBytes", "continuations", "maxBytes"],
] as const;

/**
 * The options with every grouped value (`turns`, `sandbox`, `approvals`, `continuations`)
 * read first and the deprecated flat alias second: a grouped value wins, and both set to
 * different values is an `InvalidOptionsError` naming the one to keep.
 */
function ungroup(options: CodeModeAgentOptions): CodeModeAgentOptions {
  const flat: Record<string, unknown> = { ...options };
  for (const group of ["turns", "sandbox", "approvals", "continuations"] as const) {
    const value = options[group];
    if (value !== undefined && (value === null || typeof value !== "object")) {
      throw new InvalidOptionsError(`${group} must be an object (got ${typeof value}).`);
    }
  }
  for (const [flatName, group, name] of ALIASES) {
    const grouped = (options[group] as Record<string, unknown> | undefined)?.[name];
    if (grouped === undefined) continue;
    const alias = options[flatName];
    if (alias !== undefined && !Object.is(alias, grouped)) {
      throw new InvalidOptionsError(
        `${group}.${name} and ${flatName} are both set, to different values: keep ${group}.${name} (${flatName} is its deprecated alias) and remove ${flatName}.`,
      );
    }
    flat[flatName] = grouped;
  }
  return flat as unknown as CodeModeAgentOptions;
}

/**
 * Checks `options` and applies every default (grouped options first, then their deprecated
 * flat aliases); throws `InvalidOptionsError` for a bad one.
 */
export function resolveAgentOptions(given: CodeModeAgentOptions): ResolvedAgentOptions {
  if (!given || typeof given !== "object") {
    throw new InvalidOptionsError("new CodeModeAgent({ tools, ... }) needs an options object.");
  }
  const options = ungroup(given);
  const maxRetries = options.maxRetries ?? 2;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidOptionsError(
      `turns.maxRetries must be a whole number >= 0 (got ${maxRetries}).`,
    );
  }
  const maxTurns = options.maxTurns ?? 1;
  if (!Number.isInteger(maxTurns) || maxTurns < 1) {
    throw new InvalidOptionsError(
      `turns.maxTurns must be a whole number >= 1 (got ${maxTurns}); 1 is one program, more turns the loop on.`,
    );
  }
  const maxObservationBytes = options.maxObservationBytes ?? DEFAULT_MAX_OBSERVATION_BYTES;
  if (!Number.isInteger(maxObservationBytes) || maxObservationBytes < 500) {
    throw new InvalidOptionsError(
      `turns.maxObservationBytes must be a whole number >= 500 (got ${maxObservationBytes}).`,
    );
  }
  if (options.callLlm !== undefined && typeof options.callLlm !== "function") {
    throw new InvalidOptionsError(
      "callLlm must be a function (model, system, messages, { signal }).",
    );
  }
  // Code replies are short; without a cap some providers reserve their maximum (64k tokens).
  const callLlm = options.callLlm ?? createCallLlm({ maxOutputTokens: 8192 });
  const continuation = continuationKeys(options.continuationSecret, options.maxContinuationBytes);
  for (const [name, hook] of Object.entries({
    "approvals.onApproval": options.onApproval,
    "approvals.onProgram": options.onProgram,
    "continuations.claim": options.claimContinuation,
  })) {
    if (hook !== undefined && typeof hook !== "function") {
      throw new InvalidOptionsError(`${name} must be a function.`);
    }
  }
  if (
    options.compensateOnFailure !== undefined &&
    typeof options.compensateOnFailure !== "boolean"
  ) {
    throw new InvalidOptionsError(
      `compensateOnFailure must be true or false (got ${typeof options.compensateOnFailure}).`,
    );
  }
  const toolListing = options.toolListing ?? "auto";
  if (!["full", "compact", "auto"].includes(toolListing)) {
    throw new InvalidOptionsError(
      `toolListing must be "full", "compact" or "auto" (got ${JSON.stringify(toolListing)}).`,
    );
  }
  const toolListingBudget = options.toolListingBudget ?? DEFAULT_TOOL_LISTING_BUDGET;
  if (!Number.isInteger(toolListingBudget) || toolListingBudget < 0) {
    throw new InvalidOptionsError(
      `toolListingBudget must be a whole number of tokens >= 0 (got ${toolListingBudget}).`,
    );
  }
  const maxStateBytes = options.maxStateBytes ?? DEFAULT_MAX_STATE_BYTES;
  if (!Number.isInteger(maxStateBytes) || maxStateBytes < 0) {
    throw new InvalidOptionsError(
      `turns.maxStateBytes must be a whole number of bytes >= 0 (got ${maxStateBytes}).`,
    );
  }
  return {
    model: options.model ?? DEFAULT_MODEL,
    maxRetries,
    maxAttempts: maxRetries + 1,
    maxTurns,
    loop: maxTurns > 1,
    maxObservationBytes,
    maxStateBytes,
    toolListing,
    toolListingBudget,
    typeCheck: options.typeCheck !== false,
    compensateOnFailure: options.compensateOnFailure === true,
    callLlm,
    skills: loadSkills(options.skills ?? []),
    systemPromptPrefix: options.systemPromptPrefix,
    now: options.now,
    limits: options.limits,
    isolation: options.isolation,
    pool: options.pool,
    telemetry: options.telemetry,
    onApproval: options.onApproval,
    onProgram: options.onProgram,
    claimContinuation: options.claimContinuation ?? claimInMemory,
    continuation,
  };
}
