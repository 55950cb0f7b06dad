/**
 * Where a remote tool runs. Kept on the tool's frozen `durable` options object under a
 * symbol key, so the Tool type needs no new field, and the target survives everything that
 * copies or spreads that object: renaming, normalizing the tool set, and `durableTool`
 * merging new options into a remote tool's marker.
 */
import type { DurableToolOptions, Tool } from "../tools/types.js";

export interface RemoteTarget {
  /** The Restate service that runs the tool (see `createToolService`). */
  service: string;
  /** The handler to call. */
  handler: string;
}

/** Not exported from the package: only `remoteTool` sets it. */
const REMOTE_TARGET = Symbol("codemode.remoteTarget");

type WithTarget = DurableToolOptions & { [REMOTE_TARGET]?: RemoteTarget };

/** `options` plus the target, frozen: the marker of a remote tool. */
export function withRemoteTarget(
  options: DurableToolOptions,
  target: RemoteTarget,
): DurableToolOptions {
  const marker: WithTarget = { ...options, [REMOTE_TARGET]: Object.freeze({ ...target }) };
  return Object.freeze(marker);
}

export function remoteTargetOf(tool: Tool): RemoteTarget | undefined {
  return (tool.durable as WithTarget | undefined)?.[REMOTE_TARGET];
}
