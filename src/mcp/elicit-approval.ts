/**
 * Approvals over MCP: a call that needs a human is put to the client's user through MCP
 * elicitation (a small form: approve, and a reason if not). A client without elicitation
 * support cannot ask anyone, so the call is denied with a message saying why; the program
 * sees PermissionError and can tell its user.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { ApprovalDecision, ApprovalRequest } from "../execute/types.js";

export const NO_ELICITATION_REASON =
  "the MCP client cannot ask its user (it does not support elicitation), so calls that need approval are denied";

/** `onApproval` for one MCP request: elicitation when the client supports it. */
export function elicitApproval(
  server: Server,
  signal: AbortSignal,
): (
  request: Pick<ApprovalRequest, "tool" | "args" | "line" | "ranBefore">,
) => Promise<ApprovalDecision> {
  return async (request) => {
    if (!server.getClientCapabilities()?.elicitation) {
      return { approved: false, reason: NO_ELICITATION_REASON };
    }
    const args = JSON.stringify(request.args, null, 2);
    const result = await server.elicitInput(
      {
        message:
          `Approve this call? ${request.tool}()${request.line ? ` at line ${request.line}` : ""} with:\n${args}` +
          (request.ranBefore
            ? `\nThis call already ran ${request.ranBefore} time(s) in this run, with the same arguments.`
            : ""),
        requestedSchema: {
          type: "object",
          properties: {
            approve: { type: "boolean", title: "Approve", description: `Run ${request.tool}()` },
            reason: {
              type: "string",
              title: "Reason",
              description: "Why not (the program is told), if you do not approve",
            },
          },
          required: ["approve"],
        },
      },
      { signal },
    );
    if (result.action === "accept" && result.content?.approve === true) return true;
    const given = typeof result.content?.reason === "string" ? result.content.reason.trim() : "";
    const reason =
      given ||
      (result.action === "accept" ? "the user did not approve" : `the user chose ${result.action}`);
    return { approved: false, reason };
  };
}
