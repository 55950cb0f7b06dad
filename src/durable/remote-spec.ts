/**
 * Where a remote tool runs. Kept beside the tool's frozen `durable` options object (which
 * survives renaming and normalizing the tool set), so the Tool type needs no new field.
 */
import type { DurableToolOptions, Tool } from "../tools/types.js";

export interface RemoteTarget {
  /** The Restate service that runs the tool (see `createToolService`). */
  service: string;
  /** The handler to call. */
  handler: string;
}

const targets = new WeakMap<DurableToolOptions, RemoteTarget>();

export function setRemoteTarget(options: DurableToolOptions, target: RemoteTarget): void {
  targets.set(options, target);
}

export function remoteTargetOf(tool: Tool): RemoteTarget | undefined {
  return tool.durable ? targets.get(tool.durable) : undefined;
}
