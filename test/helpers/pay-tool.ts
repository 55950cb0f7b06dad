/** `pay`: a tool that always needs approval and records what it paid (the approvals tests). */
import { defineTool } from "codemode";
import { z } from "zod";

export function payTool() {
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
