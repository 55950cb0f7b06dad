/**
 * The approval tests' tool: `send_email`, which needs approval, and the addresses it really
 * sent to. Pass `sent` to share one list between agents (a server and its restart).
 */
import { defineTool } from "codemode";
import { z } from "zod";

export function emailTools(sent: string[] = []) {
  const sendEmail = defineTool({
    name: "send_email",
    description: "Send an email.",
    inputSchema: z.object({ to: z.string(), subject: z.string() }),
    needsApproval: true,
    execute: ({ to }) => {
      sent.push(to);
      return { sent: true };
    },
  });
  return { sent, tools: [sendEmail] };
}
