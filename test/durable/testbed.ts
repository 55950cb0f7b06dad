/**
 * The setup every durable test file shares, in one call at the top of the file: a real
 * restate-server (or a cluster) started before the file's tests, and after them every
 * worker the tests started SIGKILLed, the server stopped with its data, and the tests'
 * count directories removed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerDeployment } from "codemode/durable";
import { afterAll, beforeAll } from "vitest";
import { freePort, type RestateNode, startRestateCluster } from "./restate-harness.js";
import { fixtureWorker, type WorkerProcess } from "./worker-process.js";

/** A fixture worker's settings (`fixtures/worker.ts` reads them from its environment). */
export type FixtureEnv = Record<string, string>;

export interface DurableTestbed {
  /** The restate-server (the cluster's first node); set once the file's `beforeAll` ran. */
  readonly restate: RestateNode;
  /** Every node, in order (one unless `nodes` was given). */
  readonly nodes: readonly RestateNode[];
  /** Every worker started or kept so far (for what they printed when a test fails). */
  readonly workers: readonly WorkerProcess[];
  /** A fresh temporary directory, removed after the file's tests. */
  tempDir(prefix: string): string;
  /** Starts a fixture worker with `env`; it is killed after the file's tests. */
  worker(env: FixtureEnv): Promise<WorkerProcess>;
  /** Keeps a process started another way (the CLI) to kill it after the file's tests. */
  keep(process: WorkerProcess): WorkerProcess;
  /**
   * A fixture worker registered with the restate-server: on a free port and counting into a
   * fresh directory unless `env` gives `PORT` or `COUNT_DIR`. `env` (returned, with both
   * filled in) starts the same worker again after a crash; `firstOnly` (e.g. `HANG_AT`)
   * goes to this first worker only.
   */
  registered(
    env?: FixtureEnv,
    firstOnly?: FixtureEnv,
  ): Promise<{ worker: WorkerProcess; env: FixtureEnv; dir: string }>;
}

export function durableTestbed(options: { nodes?: number } = {}): DurableTestbed {
  const size = options.nodes ?? 1;
  let nodes: RestateNode[] = [];
  let stopRestate: (() => Promise<void>) | undefined;
  const workers: WorkerProcess[] = [];
  const dirs: string[] = [];

  beforeAll(
    async () => {
      const cluster = await startRestateCluster(size);
      nodes = cluster.nodes;
      stopRestate = cluster.stop;
    },
    size > 1 ? 90_000 : 60_000,
  );
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await stopRestate?.();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const bed: DurableTestbed = {
    get restate() {
      const node = nodes[0];
      if (!node) throw new Error("durableTestbed: the restate-server starts in beforeAll");
      return node;
    },
    get nodes() {
      return nodes;
    },
    workers,
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    keep(process) {
      workers.push(process);
      return process;
    },
    worker: async (env) => bed.keep(await fixtureWorker(env)),
    async registered(given = {}, firstOnly = {}) {
      const env: FixtureEnv = {
        ...given,
        PORT: given.PORT ?? String(await freePort()),
        COUNT_DIR: given.COUNT_DIR ?? bed.tempDir("codemode-durable-"),
      };
      const worker = await bed.worker({ ...env, ...firstOnly });
      await registerDeployment(bed.restate.adminUrl, worker.url);
      return { worker, env, dir: env.COUNT_DIR as string };
    },
  };
  return bed;
}
