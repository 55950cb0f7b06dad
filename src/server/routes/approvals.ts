/** `POST /api/approvals`: decides a suspended run's approvals and resumes it (once). */

import type { Context } from "hono";
import { Hono } from "hono";
import { decideEvery } from "../../execute/call-policy.js";
import { type ChatParts, limitBody, modelNotReady, readJson, validJson } from "../parts.js";
import { runResponse } from "../run-response.js";
import { APPROVALS_REQUEST_SHAPE, approvalsRequestSchema, describeIssues } from "../schema.js";

export function approvalRoutes(parts: ChatParts): Hono {
  const app = new Hono();
  const gone = (c: Context, id: string) =>
    parts.fail(
      c,
      410,
      "APPROVAL_GONE",
      `No run is waiting under ${id}: its approvals were already decided (a run resumes once), or it was never stored on this server. Ask again to start a new run.`,
    );

  app.post(
    "/api/approvals",
    limitBody(parts, "Send shorter reasons."),
    readJson(parts, APPROVALS_REQUEST_SHAPE),
    validJson(parts, approvalsRequestSchema(), (error) =>
      describeIssues(error, APPROVALS_REQUEST_SHAPE),
    ),
    async (c) => {
      const resume = parts.agent.resume?.bind(parts.agent);
      if (!resume) {
        return parts.fail(
          c,
          501,
          "RESUME_NOT_SUPPORTED",
          "This server's agent cannot resume suspended runs (its ChatAgent has no resume method), so approvals cannot be decided here.",
        );
      }
      const notReady = modelNotReady(parts, c);
      if (notReady) return notReady;
      const { continuationId: id, decisions } = c.req.valid("json");
      const record = await parts.store.load(id);
      if (!record) return gone(c, id);
      // The rule every door shares: each pending approval decided, in one request.
      const decided = decideEvery(record.approvals, decisions);
      if (!decided.ok) {
        return parts.fail(c, 400, "INVALID_REQUEST", `decisions: ${decided.message}.`);
      }
      return runResponse(parts, c, {
        ...(record.message !== undefined ? { message: record.message } : {}),
        ...(record.chat !== undefined ? { chat: record.chat } : {}),
        // Deleting the record is the claim: of two clicks, only one resumes the run.
        claim: async () => ((await parts.store.delete(id)) ? undefined : gone(c, id)),
        start: (signal, onEvent) => resume(record.continuation, decisions, { signal, onEvent }),
      });
    },
  );

  return app;
}
