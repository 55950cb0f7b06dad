/**
 * Starts real restate-server processes for tests: one node, or a cluster of nodes, each on
 * random free ports with a temporary base directory. Every process started here is killed
 * by `stop()`, and (as a last resort) when the test process exits.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, platform, tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);

/** The restate-server binary itself (the npm wrapper would leave it orphaned on SIGKILL). */
export function restateServerBinary(): string {
  return require.resolve(`@restatedev/restate-server-${platform()}-${arch()}/bin/restate-server`);
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RestateNode {
  name: string;
  ingressUrl: string;
  adminUrl: string;
  /** Node-to-node address, `http://127.0.0.1:<port>`. */
  nodeAddress: string;
  baseDir: string;
  /** Everything the node printed (for failure messages). */
  log(): string;
  /** SIGKILL, as if the machine died. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  readonly alive: boolean;
  readonly pid: number;
}

interface NodeSpec {
  name: string;
  baseDir: string;
  ingressPort: number;
  adminPort: number;
  nodePort: number;
  env: Record<string, string>;
}

function spawnNode(spec: NodeSpec): RestateNode {
  const output: string[] = [];
  const child = spawn(
    restateServerBinary(),
    [
      "--base-dir",
      spec.baseDir,
      "--no-logo",
      "--listen-mode",
      "tcp",
      "--log-disable-ansi-codes",
      "true",
    ],
    {
      env: {
        ...process.env,
        RESTATE_NODE_NAME: spec.name,
        RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${spec.ingressPort}`,
        RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${spec.adminPort}`,
        RESTATE_BIND_ADDRESS: `127.0.0.1:${spec.nodePort}`,
        RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${spec.nodePort}`,
        RESTATE_DISABLE_TELEMETRY: "true",
        // Small caches: tests run several nodes next to other work.
        RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE: "256MB",
        RESTATE_LOG_FILTER: "warn",
        ...spec.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  live.add(child);
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      live.delete(child);
      resolve();
    });
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    name: spec.name,
    ingressUrl: `http://127.0.0.1:${spec.ingressPort}`,
    adminUrl: `http://127.0.0.1:${spec.adminPort}`,
    nodeAddress: `http://127.0.0.1:${spec.nodePort}`,
    baseDir: spec.baseDir,
    log: () => output.join(""),
    kill: () => signal("SIGKILL"),
    stop: async () => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await signal("SIGTERM");
      clearTimeout(timer);
    },
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    pid: child.pid ?? 0,
  };
}

/** Resolves when the node's admin API and ingress both answer 200. */
export async function waitUntilReady(node: RestateNode, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!node.alive) throw new Error(`restate-server ${node.name} exited:\n${node.log()}`);
    const ok = await Promise.all([
      httpOk(`${node.adminUrl}/health`),
      httpOk(`${node.ingressUrl}/restate/health`),
    ]);
    if (ok.every(Boolean)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `restate-server ${node.name} not ready after ${timeoutMs} ms:\n${node.log()}`,
      );
    }
    await sleep(100);
  }
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export interface RestateCluster {
  nodes: RestateNode[];
  /** Stops every node still running and removes the base directories. */
  stop(): Promise<void>;
}

/**
 * A cluster of `size` nodes, each with every role, replicating logs and partitions to 2
 * nodes (1 for a single node), so a 3-node cluster keeps working when one node dies.
 * `durableTestbed()` (testbed.ts) starts one for a test file.
 */
export async function startRestateCluster(size: number): Promise<RestateCluster> {
  const root = mkdtempSync(join(tmpdir(), "codemode-restate-"));
  const specs: NodeSpec[] = [];
  for (let i = 1; i <= size; i++) {
    specs.push({
      name: `n${i}`,
      baseDir: join(root, `n${i}`),
      ingressPort: await freePort(),
      adminPort: await freePort(),
      nodePort: await freePort(),
      env: {},
    });
  }
  const clusterName = `codemode-test-${process.pid}-${Date.now()}`;
  const addresses = JSON.stringify(specs.map((s) => `http://127.0.0.1:${s.nodePort}`));
  for (const [i, spec] of specs.entries()) {
    spec.env = {
      RESTATE_CLUSTER_NAME: clusterName,
      RESTATE_DEFAULT_REPLICATION: String(Math.min(2, size)),
      // Exactly one node provisions the cluster; the others join it.
      RESTATE_AUTO_PROVISION: i === 0 ? "true" : "false",
      ...(size > 1 ? { RESTATE_METADATA_CLIENT__ADDRESSES: addresses } : {}),
    };
  }
  const nodes = specs.map(spawnNode);
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => waitUntilReady(n)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rows of Restate's SQL introspection (`sys_journal`, `sys_invocation`, ...). */
export async function queryRestate(
  adminUrl: string,
  query: string,
): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`query failed (${response.status}): ${text}`);
  return (JSON.parse(text) as { rows: Record<string, unknown>[] }).rows;
}

/**
 * Resolves once `service` is known to the ingress of `ingressUrl`. In a cluster a
 * registration made through one node reaches the others a moment later.
 */
export async function waitForService(
  ingressUrl: string,
  service: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${ingressUrl}/restate/workflow/${service}/probe/output`).catch(
      () => undefined,
    );
    const text = response ? await response.text() : "";
    if (response && !/service '.*' not found/i.test(text)) return;
    if (Date.now() > deadline) throw new Error(`${service} unknown to ${ingressUrl}: ${text}`);
    await sleep(100);
  }
}

/**
 * The node that has an open connection to a worker's port: the leader of the partition
 * whose invocation the worker is running (Restate's invoker keeps the HTTP/2 stream open
 * while the handler runs). Read from `ss`; undefined when that is not possible.
 */
export function nodeConnectedTo(
  nodes: readonly RestateNode[],
  port: number,
): RestateNode | undefined {
  let out: string;
  try {
    out = execFileSync("ss", ["-tnpH", "state", "established"], { encoding: "utf8" });
  } catch {
    return undefined;
  }
  for (const line of out.split("\n")) {
    const fields = line.trim().split(/\s+/);
    // Recv-Q Send-Q Local Peer Process: the node's side has the worker's port as peer.
    if (fields[3]?.endsWith(`:${port}`)) {
      const pid = Number(/pid=(\d+)/.exec(line)?.[1]);
      const node = nodes.find((n) => n.pid === pid);
      if (node) return node;
    }
  }
  return undefined;
}
