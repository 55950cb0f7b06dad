/**
 * Host memory across repeated passes of the adversarial corpus: does it return to a
 * plateau, or creep up pass after pass (a leak)?
 *
 *   npm run build && npx tsx bench/adversarial-memory.ts [process|in-process] [passes]
 *
 * Prints heapUsed and RSS after a full collection, before the first pass and after each.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { execute, type Isolation, SandboxPool } from "codemode";
import { CORPUS, corpusTools } from "../test/adversarial/corpus.js";

const isolation = (process.argv[2] ?? "in-process") as Isolation;
const passes = Number(process.argv[3] ?? 3);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
async function sample(label: string) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  console.log(`${label.padEnd(10)} heapUsed ${mb(heapUsed)} MB  rss ${mb(rss)} MB`);
}

const pool = new SandboxPool({ size: 2 });
const tools = corpusTools();
const cases = CORPUS.filter((c) => isolation === "process" || c.processOnly === undefined);
for (let i = 0; i < 3; i++) await execute("noop()\n1", { isolation, pool, tools });
await sample("baseline");
let survived = 0;
for (let pass = 1; pass <= passes; pass++) {
  for (const c of cases) {
    const options = {
      isolation,
      pool,
      tools,
      ...(c.limits ? { limits: c.limits } : {}),
      ...(c.inputs ? { inputs: c.inputs } : {}),
    };
    await execute(c.code, options).catch(() => undefined);
    const next = await execute("1 + 1", { isolation, pool });
    if (next.ok) survived += 1;
  }
  await sample(`pass ${pass}`);
}
console.log(
  `${isolation}: ${passes} passes x ${cases.length} programs, next run ok after ${survived} of ${passes * cases.length}; pool ${JSON.stringify(pool.stats)}`,
);
await pool.close();
