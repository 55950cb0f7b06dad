/**
 * Issue 19, items 4, 5, 6, 7 and the `resumeExecution` paragraph: continuations and
 * suspended runs against tool sets that change, limits that differ, and hostile or
 * corrupted `result.suspended` state. Real agents and `execute()`, a scripted model, tool
 * sets that change the way a live set does (an array the caller edits; `[set, tool]` reads
 * it afresh for each program).
 */
import {
  type CallLlm,
  CodeModeAgent,
  ContinuationError,
  defineTool,
  type ExecutionResult,
  execute,
  type Isolation,
  resumeExecution,
  type SuspendedExecution,
  type Tool,
} from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";

const py = (code: string) => `\`\`\`python\n${code}\n\`\`\``;

function scripted(replies: string[]): CallLlm {
  const queue = [...replies];
  return async () => queue.shift() ?? "done";
}

const lookup = (name: string, description = "Looks something up.") =>
  defineTool({
    name,
    description,
    inputSchema: z.object({ q: z.string() }),
    execute: ({ q }) => `${name}:${q}`,
  });

function payTool() {
  const paid: number[] = [];
  const pay = defineTool({
    name: "pay",
    description: "Pays an amount.",
    inputSchema: z.object({ amount: z.number() }),
    needsApproval: true,
    execute: ({ amount }) => {
      paid.push(amount);
      return "paid";
    },
  });
  return { paid, pay };
}

function suspendedOf(result: ExecutionResult): SuspendedExecution {
  if (result.ok || !result.suspended)
    throw new Error(`expected a suspension: ${JSON.stringify(result)}`);
  return result.suspended;
}

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
