/**
 * Issue 19, item 11: telemetry never fails a run. `codemode run` (the built CLI, a replayed
 * model) with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a loopback port nobody listens on, at
 * a real OTLP/HTTP receiver that answers 500, and at one that never answers: the answer is
 * printed, the exit code is the run's (0), and stderr has one warning naming the exporter
 * and where it sends. (Run `npm run build` first.)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { REPLAYED_RUN, runCli } from "../cli/helpers.js";

const cli = (env: Record<string, string>) => runCli(REPLAYED_RUN, env);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let servers: Server[] = [];
afterEach(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  servers = [];
});

/** What every case checks: the answer, exit 0, a warning that names the exporter. */
function expectRunUnaffected(
  result: { code: number | null; stdout: string; stderr: string },
  url: string,
) {
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/Engineering/);
  expect(result.stderr).toContain(`OTLP/HTTP exporter (${url}/v1/traces)`);
  expect(result.stderr).toContain("the run is not affected");
  expect(result.stderr).not.toMatch(/^Error:/m);
}

describe("issue 19 item 11: telemetry export failures never fail a run", () => {
  it("an endpoint nobody listens on: warning naming the exporter, exit 0", async () => {
    // A port that was free a moment ago and is closed now.
    const probe = createServer();
    const url = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    const result = await cli({ OTEL_EXPORTER_OTLP_ENDPOINT: url });
    expectRunUnaffected(result, url);
    expect(result.stderr).toContain("ECONNREFUSED");
  }, 60_000);

  it.each([
    ["answers 500", (res: import("node:http").ServerResponse) => res.writeHead(500).end("broken")],
    ["never answers (shutdown gives up after a bounded wait)", () => {}],
  ])(
    "a receiver that %s: warning, exit 0",
    async (_, answer) => {
      let requests = 0;
      const server = createServer((req, res) => {
        requests += 1;
        req.resume();
        req.on("end", () => answer(res));
      });
      servers.push(server);
      const url = await listen(server);
      const result = await cli({ OTEL_EXPORTER_OTLP_ENDPOINT: url });
      expectRunUnaffected(result, url);
      expect(requests).toBeGreaterThan(0);
    },
    60_000,
  );
});
