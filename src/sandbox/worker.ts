/**
 * Entry point of a sandbox worker process. It knows no tool code, only tool names:
 * every call is relayed to the host, which validates and runs it. One run at a time.
 */
import type { HostAnswer, HostMessage, WorkerMessage } from "./protocol.js";
import { runProgram } from "./runner.js";
import { typeCheckProgram } from "./type-check.js";

if (typeof process.send !== "function") {
  throw new Error("codemode's sandbox worker must be started by the host with an IPC channel.");
}

const send = (message: WorkerMessage) => process.send!(message);

interface ActiveRun {
  id: number;
  seq: number;
  cancelled: boolean;
  output: string[];
  pending?: { seq: number; resolve: (outcomes: HostAnswer) => void };
}

let active: ActiveRun | undefined;

process.on("message", (message: HostMessage) => {
  switch (message.type) {
    case "run":
      void startRun(message.id, message.request);
      break;
    case "result": {
      const pending = active?.id === message.id ? active.pending : undefined;
      if (pending && pending.seq === message.seq) {
        active!.pending = undefined;
        pending.resolve(message.outcomes);
      }
      break;
    }
    case "check":
      send({
        type: "checked",
        id: message.id,
        diagnostics: typeCheckProgram(message.code, message.stub),
      });
      break;
    case "cancel":
      if (active?.id === message.id) {
        active.cancelled = true;
        const pending = active.pending;
        active.pending = undefined;
        pending?.resolve([]);
      }
      break;
  }
});

async function startRun(id: number, request: Parameters<typeof runProgram>[0]): Promise<void> {
  const run: ActiveRun = { id, seq: 0, cancelled: false, output: [] };
  active = run;
  const outcome = await runProgram(request, {
    callTools: (batch) =>
      new Promise<HostAnswer>((resolve) => {
        run.seq += 1;
        run.pending = { seq: run.seq, resolve };
        send({ type: "call", id, seq: run.seq, batch, output: run.output.splice(0) });
      }),
    output: (text) => {
      run.output.push(text);
    },
    isCancelled: () => run.cancelled,
  });
  active = undefined;
  send({ type: "done", id, outcome, output: run.output, rssBytes: process.memoryUsage.rss() });
}

// The host going away must take the worker with it.
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
