/**
 * A conversation through durable runs, against a real restate-server: the worker returns the
 * run's state sealed (signed with its continuationSecret, bound to the chat) in the journaled
 * result, `DurableChatAgent` hands it back as the next run's input, and a new worker process
 * goes on from it without calling the tool again.
 */
import { join } from "node:path";
import type { AgentEvent } from "codemode";
import { DurableChatAgent } from "codemode/durable";
import { describe, expect, it } from "vitest";
import { durableTestbed } from "./testbed.js";
import { lines, waitForFile } from "./worker-process.js";

const bed = durableTestbed();
/** The workers of a conversation share the key that seals its state. */
const CONVERSATION = { PROGRAM: "conversation", STATE_SECRET: "a shared secret of the workers" };

describe("DurableChatAgent conversations", () => {
  it("carries the sealed state to the next run, across a worker restart, and only within its chat", async () => {
    const { worker: first, env, dir } = await bed.registered(CONVERSATION);
    const agent = new DurableChatAgent({ ingressUrl: bed.restate.ingressUrl });

    const stored = await agent.run("Store it", [], { chatId: "chat-1" });
    expect(stored).toMatchObject({ status: "done", summary: "stored 10" });
    expect(stored.state).toMatch(/^cms1\./);
    expect(lines(join(dir, "tool-calls.log"))).toHaveLength(1);

    // Another worker process (same secret) picks up the next message.
    await first.kill();
    await bed.worker(env);

    const kept = await agent.run("What is kept?", [], { state: stored.state, chatId: "chat-1" });
    expect(kept).toMatchObject({ status: "done", summary: "kept 10" });
    expect(kept.toolCalls).toEqual([]);
    expect(kept.state).toMatch(/^cms1\./);
    expect(lines(join(dir, "tool-calls.log"))).toHaveLength(1);

    // The same sealed state in another chat is refused: that run starts fresh.
    const elsewhere = await agent.run("What is kept?", [], {
      state: stored.state,
      chatId: "chat-2",
    });
    expect(elsewhere.summary).toBe("stored 10");
    expect(elsewhere.stateError).toMatchObject({
      code: "CONVERSATION_STATE",
      reason: "other-chat",
    });

    // A state that is not the sealed string is refused before anything is sent.
    const events: AgentEvent[] = [];
    const refused = await agent.run("What is kept?", [], {
      state: { variables: { kept: 10 }, dropped: [] },
      chatId: "chat-1",
      onEvent: (e) => events.push(e),
    });
    expect(refused.stateError).toMatchObject({ reason: "not-state" });
    expect(refused.summary).toBe("stored 10");
    expect(events[0]).toMatchObject({ type: "state_refused" });
  });

  it("a run that starts from a state and loses its worker mid-program replays to the same state", async () => {
    // record_step(3) (call 4 by argument) hangs in the first worker.
    const {
      worker: first,
      env,
      dir: crashDir,
    } = await bed.registered(CONVERSATION, { HANG_AT: "4" });
    const agent = new DurableChatAgent({ ingressUrl: bed.restate.ingressUrl });
    const stored = await agent.run("Store it", [], { chatId: "chat-3" });
    expect(stored.summary).toBe("stored 10");

    const adding = agent.run("Add three", [], { state: stored.state, chatId: "chat-3" });
    await waitForFile(join(crashDir, "hanging-4"));
    await first.kill();
    await bed.worker(env);
    const added = await adding;
    expect(added).toMatchObject({ status: "done", summary: "40" });
    // Each step ran once: record_step(1) in the first worker, record_step(3) in the second.
    expect(lines(join(crashDir, "tool-calls.log")).map((l) => Number(l.split(" ")[0]))).toEqual([
      1, 3,
    ]);

    const both = await agent.run("What is kept?", [], { state: added.state, chatId: "chat-3" });
    expect(both.summary).toBe("kept 10 and 30");
  });
});
