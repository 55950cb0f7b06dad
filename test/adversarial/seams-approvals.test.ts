/**
 * Issue 19, items 4, 5, 6, 7 and the `resumeExecution` paragraph: continuations and
 * suspended runs against tool sets that change, limits that differ, and hostile or
 * corrupted `result.suspended` state. Real agents and `execute()`, a scripted model, tool
 * sets that change the way a live set does (an array the caller edits; `[set, tool]` reads
 * it afresh for each program).
 */
import {
  CodeModeAgent,
  ContinuationError,
  defineTool,
  execute,
  type Isolation,
  resumeExecution,
  type SuspendedExecution,
  type Tool,
} from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { payTool } from "../helpers/pay-tool.js";
import { py } from "../helpers/python.js";
import { expectSuspended } from "../helpers/results.js";
import { scripted as scriptedLlm } from "../helpers/scripted-llm.js";

const scripted = (replies: string[]) => scriptedLlm(replies, { whenDone: "done" });

const lookup = (name: string, description = "Looks something up.") =>
  defineTool({
    name,
    description,
    inputSchema: z.object({ q: z.string() }),
    execute: ({ q }) => `${name}:${q}`,
  });

describe("issue 19 item 4: continuations fingerprint the tools the run had", () => {
  it("a live set that changed before the run: a fresh agent with today's tools resumes; one with the old tools is refused and leaves it unclaimed", async () => {
    const { paid, pay } = payTool();
    const live: Tool[] = [lookup("find_a")];
    const agent = new CodeModeAgent({
      tools: [live, pay],
      isolation: "in-process",
      callLlm: scripted([py('x = find_b("q")\npay(amount=5)\n{"summary": x}')]),
    });
    // The live set gains a tool after the agent was built, before the run.
    live.push(lookup("find_b"));
    const first = await agent.run("pay");
    expect(first.status).toBe("suspended");
    const id = first.pendingApprovals![0]!.id;

    // An agent with the tools as they were when the first agent was built: refused, before
    // anything is claimed or run.
    const old = new CodeModeAgent({ tools: [[lookup("find_a")], pay], isolation: "in-process" });
    const refused = await old.resume(first.continuation!, { [id]: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ContinuationError);
    expect(refused).toMatchObject({ reason: "tools" });
    expect((refused as Error).message).toContain("find_b");
    expect(paid).toEqual([]);

    // An agent with a changed description of a tool the run had: refused too.
    const changed = new CodeModeAgent({
      tools: [[lookup("find_a"), lookup("find_b", "Something else.")], pay],
      isolation: "in-process",
    });
    await expect(changed.resume(first.continuation!, { [id]: true })).rejects.toMatchObject({
      reason: "tools",
    });

    // A fresh agent with today's tools (and one more since): resumes; the call runs once.
    const today = new CodeModeAgent({
      tools: [[lookup("find_a"), lookup("find_b"), lookup("find_c")], pay],
      isolation: "in-process",
    });
    const done = await today.resume(first.continuation!, { [id]: true });
    expect(done.status).toBe("done");
    expect(done.summary).toBe("find_b:q");
    expect(paid).toEqual([5]);
    await expect(today.resume(first.continuation!, { [id]: true })).rejects.toMatchObject({
      reason: "used",
    });
  });
});

describe("issue 19 item 5: a live set that gains a tool named like a kept variable", () => {
  it("the tool wins, the run resolves", async () => {
    const live: Tool[] = [];
    const grow = defineTool({
      name: "install_rows",
      description: "Installs a tool named rows.",
      inputSchema: z.object({}),
      execute: () => {
        live.push(lookup("rows"));
        return "ok";
      },
    });
    const agent = new CodeModeAgent({
      tools: [live, grow],
      maxTurns: 3,
      isolation: "in-process",
      callLlm: scripted([
        py('rows = [1, 2]\ninstall_rows()\n{"n": len(rows)}'),
        py('{"summary": rows("x")}'),
      ]),
    });
    const result = await agent.run("go");
    expect(result.status).toBe("done");
    expect(result.summary).toBe("rows:x");
  });
});

/** A deep copy of `suspended` with `change` applied to its internal run (the hostile edit). */
function edited(
  suspended: SuspendedExecution,
  change: (
    run: {
      suspension: { snapshot: Uint8Array; batch: { calls: { args: unknown[] }[] } };
      pending: unknown[];
      seal: { monty: string };
    },
    copy: { approvals: unknown[] },
  ) => void,
): SuspendedExecution {
  const copy = structuredClone(suspended) as SuspendedExecution & { approvals: unknown[] };
  change(copy.run as never, copy);
  return copy;
}

describe.each<Isolation>(["in-process", "process"])(
  "issue 19 items 6, 7 and hostile suspended state (%s)",
  (isolation) => {
    const PROGRAM = 'r = pay(amount=5)\nbig = "x" * 60000000\n[r, len(big)]';
    const suspend = async (pay: Tool, maxMemoryBytes = 512 * 1024 * 1024) =>
      expectSuspended(
        await execute(PROGRAM, { tools: [pay], isolation, limits: { maxMemoryBytes } }),
      );
    const approveAll = (s: SuspendedExecution) =>
      Object.fromEntries(s.approvals.map((a) => [a.id, true]));
    const big = { maxMemoryBytes: 512 * 1024 * 1024 };

    it("a corrupted byte in the snapshot is refused before the approved call runs, the host stays up; the intact one then resumes once", async () => {
      const { paid, pay } = payTool();
      const suspended = await suspend(pay);
      const corrupted = edited(suspended, (run) => {
        const bytes = run.suspension.snapshot;
        bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      });
      await expect(
        resumeExecution(corrupted, approveAll(corrupted), { tools: [pay], isolation, limits: big }),
      ).rejects.toThrow(/checksum does not match.*Nothing ran/);
      expect(paid).toEqual([]);
      const done = await resumeExecution(suspended, approveAll(suspended), {
        tools: [pay],
        isolation,
        limits: big,
      });
      expect(done.ok && done.value).toEqual(["paid", 60_000_000]);
      expect(paid).toEqual([5]);
      // Once-only: the same suspension again is refused, the call does not run twice.
      await expect(
        resumeExecution(suspended, approveAll(suspended), { tools: [pay], isolation, limits: big }),
      ).rejects.toThrow(/already resumed/);
      expect(paid).toEqual([5]);
    });

    it("an emptied pending list, or a call that is not the one shown, is refused: nothing runs", async () => {
      const { paid, pay } = payTool();
      const suspended = await suspend(pay);
      const emptied = edited(suspended, (run, copy) => {
        run.pending = [];
        copy.approvals = [];
      });
      await expect(
        resumeExecution(emptied, {}, { tools: [pay], isolation, limits: big }),
      ).rejects.toThrow(/pending calls do not match/);
      const swapped = edited(suspended, (run) => {
        run.suspension.batch.calls[0]!.args = [5000];
      });
      await expect(
        resumeExecution(swapped, approveAll(swapped), { tools: [pay], isolation, limits: big }),
      ).rejects.toThrow(/checksum does not match/);
      expect(paid).toEqual([]);
    });

    it("item 6: a snapshot from another Monty build is refused before any call", async () => {
      const { paid, pay } = payTool();
      const suspended = await suspend(pay);
      const upgraded = edited(suspended, (run) => {
        run.seal.monty = "0.0.1";
      });
      await expect(
        resumeExecution(upgraded, approveAll(upgraded), { tools: [pay], isolation, limits: big }),
      ).rejects.toThrow(/made by Monty 0\.0\.1 and this is Monty \d/);
      expect(paid).toEqual([]);
    });

    it("item 7: a resume whose memory limit is below the snapshot's is refused, not run with the snapshot's", async () => {
      const { paid, pay } = payTool();
      const suspended = await suspend(pay);
      await expect(
        resumeExecution(suspended, approveAll(suspended), {
          tools: [pay],
          isolation,
          limits: { maxMemoryBytes: 8 * 1024 * 1024 },
        }),
      ).rejects.toThrow(/suspended with maxMemoryBytes 536870912 and this resume allows 8388608/);
      expect(paid).toEqual([]);
      // Suspended under the lower limit, the limit holds after the resume.
      const strict = await suspend(pay, 8 * 1024 * 1024);
      const result = await resumeExecution(strict, approveAll(strict), {
        tools: [pay],
        isolation,
        limits: { maxMemoryBytes: 8 * 1024 * 1024 },
      });
      expect(!result.ok && result.error.type).toBe("MemoryError");
    });
  },
);

describe("issue 19 item 5: an MCP server with tools named like the sandbox's own", () => {
  it("they are renamed when the set is built, and a compact-listing agent with discovery runs", async () => {
    const { mcpTools } = await import("codemode/mcp");
    const { join } = await import("node:path");
    const mcp = await mcpTools({
      command: process.execPath,
      args: [join(import.meta.dirname, "fixtures/reserved-names.mjs")],
    });
    try {
      const names = mcp.map((t) => t.name).sort();
      for (const reserved of [
        "search_tools",
        "describe_tool",
        "parallel_map",
        "__codemode_state__",
      ]) {
        expect(names).not.toContain(reserved);
      }
      expect(mcp.renamed.map((r) => r.from).sort()).toEqual(
        ["__codemode_state__", "describe_tool", "parallel_map", "search_tools"].sort(),
      );
      const renamedSearch = mcp.renamed.find((r) => r.from === "search_tools")!.to;
      const agent = new CodeModeAgent({
        tools: [mcp],
        toolListing: "compact",
        maxTurns: 2,
        isolation: "in-process",
        callLlm: scripted([
          py(`m = search_tools("server tool")\n{"summary": ${renamedSearch}("x"), "n": len(m)}`),
        ]),
      });
      const result = await agent.run("go");
      expect(result.status).toBe("done");
      expect(result.summary).toBe("search_tools:x");
    } finally {
      await mcp.close();
    }
  });
});
