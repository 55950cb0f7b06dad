/**
 * The adversarial corpus as a vitest suite for one isolation mode, with the host-level
 * checks around it: no unhandled rejection, no sandbox worker left behind, and host memory
 * after the corpus close to what it was before.
 */
import { execute, type Isolation, SandboxPool } from "codemode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type MemorySample,
  memoryAfterGc,
  waitForExit,
  watchUnhandledRejections,
} from "../reliability/watch.js";
import { checkCase } from "./check-case.js";
import { type AdversarialCase, CORPUS, corpusTools } from "./corpus.js";

/** Growth allowed after the whole corpus (JIT code, caches, V8's own slack). */
const MAX_HEAP_GROWTH_MB = 40;
const MAX_RSS_GROWTH_MB = { process: 150, "in-process": 300 } as const;

export function adversarialSuite(isolation: Isolation): void {
  const cases = CORPUS.filter((c) => isolation === "process" || c.processOnly === undefined);
  const unhandled = watchUnhandledRejections();
  const pool = new SandboxPool({ size: 2 });
  const tools = corpusTools();
  const seenPids = new Set<number>();
  const tally = { tried: 0, survived: 0 };
  let before: MemorySample;

  beforeAll(async () => {
    if (isolation === "process") await pool.warm();
    // Warm both paths once so lazily loaded code does not count as growth.
    for (let i = 0; i < 3; i++) {
      await execute("noop()\nx = [i for i in range(1000)]\nlen(str(x))", {
        isolation,
        pool,
        tools,
      });
    }
    before = await memoryAfterGc();
  });

  afterAll(async () => {
    await pool.close();
    unhandled.stop();
  });

  describe(`adversarial corpus (${isolation})`, () => {
    it.each(cases.map((c) => [`${c.category}: ${c.name}`, c] as const))(
      "%s",
      async (_label, c: AdversarialCase) => {
        tally.tried += 1;
        await checkCase(c, { isolation, pool, tools });
        tally.survived += 1;
        for (const pid of pool.pids) seenPids.add(pid);
        expect(pool.pids.length).toBeLessThanOrEqual(pool.size);
      },
      60_000,
    );

    it("leaves the host as it found it: memory near baseline, no rejections, no workers", async () => {
      const after = await memoryAfterGc();
      const growth = {
        heapUsedMB: Math.round((after.heapUsedMB - before.heapUsedMB) * 10) / 10,
        rssMB: Math.round((after.rssMB - before.rssMB) * 10) / 10,
      };
      console.log(
        `[adversarial ${isolation}] ${JSON.stringify({ ...tally, cases: cases.length, before, after, growth, pool: pool.stats })}`,
      );
      expect(tally.survived).toBe(cases.length);
      expect(growth.heapUsedMB).toBeLessThan(MAX_HEAP_GROWTH_MB);
      expect(growth.rssMB).toBeLessThan(MAX_RSS_GROWTH_MB[isolation]);
      expect(unhandled.reasons).toEqual([]);
      const live = new Set(pool.pids);
      await pool.close();
      expect(await waitForExit([...seenPids, ...live])).toEqual([]);
    });
  });
}
