/**
 * A JavaScript checker for examples/data-tools/tasks.jsonl, referenced there as
 * `{"check": "./checks.ts#namesTopWarehouses"}`. It sees the answer of either mode (its
 * text, tool calls, charts) and passes by returning true, fails by returning a reason.
 */
import type { EvalAnswer } from "codemode/eval";

/** The warehouses with the most rows at or below their reorder level (8 rows each). */
export function namesTopWarehouses(answer: EvalAnswer): true | string {
  const readInventory = answer.toolCalls.some(
    (call) =>
      call.name === "fetch_data" && (call.args as { dataset?: string }).dataset === "inventory",
  );
  if (!readInventory) return "the answer never fetched the inventory dataset";
  const missing = ["Dallas", "Seattle"].filter((w) => !answer.text.includes(w));
  return missing.length === 0 ? true : `the answer does not name ${missing.join(" and ")}`;
}
