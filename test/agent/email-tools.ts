/** The agent tests' tool that needs approval: `send_email`, and the addresses it really sent to. */
import { defineTool } from "codemode";
import { z } from "zod";

export function emailTools() {
  const sent: string[] = [];
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
