/**
 * The few Restate admin API calls codemode needs: register a deployment, find a run's
 * invocation and cancel it; and how a failed request to Restate is told (`causeText`).
 */
import { errorText } from "../error-text.js";
import { RestateUnavailableError } from "./errors.js";

export interface RegisterDeploymentOptions {
  /** Replace an existing registration of the same URI (needed after changing handlers). Default true. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface RegisteredDeployment {
  id: string;
  services: string[];
}

/**
 * Tells a Restate server (its admin API, e.g. `http://localhost:9070`) where a worker
 * endpoint lives, so that it routes invocations of the worker's services to it.
 */
export async function registerDeployment(
  adminUrl: string,
  endpointUrl: string,
  options: RegisterDeploymentOptions = {},
): Promise<RegisteredDeployment> {
  const url = `${trimSlash(adminUrl)}/deployments`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ uri: endpointUrl, force: options.force ?? true }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw new RestateUnavailableError(
      `Could not reach the Restate admin API at ${adminUrl} (${causeText(error)}). Is restate-server running, and is this its admin port (default 9070)?`,
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new RestateUnavailableError(
      `Restate refused to register ${endpointUrl} (HTTP ${response.status}): ${text.slice(0, 500)}. Check that the worker is running and reachable from the Restate server at that URL.`,
    );
  }
  const body = JSON.parse(text) as { id?: string; services?: { name?: string }[] };
  return {
    id: String(body.id ?? ""),
    services: (body.services ?? []).map((s) => String(s.name ?? "")),
  };
}

/**
 * Cancels a running invocation (e.g. a durable run: `SubmittedRun.invocationId`). Its
 * completed steps stay journaled; the run stops at its next step and fails as cancelled.
 */
export async function cancelInvocation(adminUrl: string, invocationId: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(
      `${trimSlash(adminUrl)}/invocations/${encodeURIComponent(invocationId)}/cancel`,
      { method: "PATCH" },
    );
  } catch (error) {
    throw new RestateUnavailableError(
      `Could not reach the Restate admin API at ${adminUrl} to cancel ${invocationId} (${causeText(error)}).`,
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok && response.status !== 404) {
    throw new RestateUnavailableError(
      `Restate refused to cancel ${invocationId} (HTTP ${response.status}): ${text.slice(0, 300)}`,
    );
  }
}

/**
 * The invocation id of durable run `runId` (its `run` handler), from Restate's SQL
 * introspection; `undefined` when Restate has no such run.
 */
export async function runInvocationId(
  adminUrl: string,
  service: string,
  runId: string,
): Promise<string | undefined> {
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const query = `SELECT id FROM sys_invocation WHERE target_service_name = ${quote(service)} AND target_service_key = ${quote(runId)} AND target_handler_name = 'run'`;
  let response: Response;
  try {
    response = await fetch(`${trimSlash(adminUrl)}/query`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query }),
    });
  } catch (error) {
    throw new RestateUnavailableError(
      `Could not reach the Restate admin API at ${adminUrl} to find run ${runId} (${causeText(error)}).`,
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new RestateUnavailableError(
      `Restate could not look up run ${runId} (HTTP ${response.status}): ${text.slice(0, 300)}`,
    );
  }
  const rows = (JSON.parse(text) as { rows?: { id?: unknown }[] }).rows ?? [];
  const id = rows[0]?.id;
  return typeof id === "string" ? id : undefined;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Why a request to Restate failed: the network error's code (ECONNREFUSED) or the message. */
export function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  return cause ?? errorText(error);
}
