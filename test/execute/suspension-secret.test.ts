/**
 * `suspensionSecret`: `execute()` signs `result.suspended` with it (HMAC-SHA256) and
 * `resumeExecution()` refuses, before Monty sees anything, one that was forged, changed,
 * signed with another key or not signed at all. A forgery here is what someone who can
 * edit the stored suspension and has this library can make: another run's snapshot put in,
 * the checksum recomputed the way codemode computes it. Without a key the same forgery
 * resumes (the checksum catches corruption, not forgery), which shows the test tells the
 * two apart.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serialize } from "node:v8";
import {
  execute,
  InvalidOptionsError,
  type Isolation,
  resumeExecution,
  type SuspendedExecution,
} from "codemode";
import { describe, expect, it } from "vitest";
// An attacker has the library: its checksum is what they recompute.
import { checksum } from "../../src/execute/suspension-check.js";
import { payTool } from "../helpers/pay-tool.js";
import { expectSuspended } from "../helpers/results.js";

const SECRET = "a 32-byte-or-longer secret for this test only";
const OTHER = "another 32-byte-or-longer secret, not the one";
const PROGRAM = "r = pay(amount=5)\n[r, limit]";

interface Run {
  suspension: { snapshot: Uint8Array };
  output: string;
  seal: { checksum: string; mac?: string; limits: { maxMemoryBytes: number } };
}

/** A deep copy of `suspended` with `change` applied to its run. */
function edited(suspended: SuspendedExecution, change: (run: Run) => void): SuspendedExecution {
  const copy = structuredClone(suspended);
  change(copy.run as Run);
  return copy;
}

/** The forger's move: `donor`'s snapshot in `victim`, and the checksum made to match. */
function forged(victim: SuspendedExecution, donor: SuspendedExecution): SuspendedExecution {
  return edited(victim, (run) => {
    run.suspension.snapshot = (donor.run as Run).suspension.snapshot.slice();
    run.seal.checksum = checksum(run as never, victim.approvals);
  });
}

const approveAll = (s: SuspendedExecution) =>
  Object.fromEntries(s.approvals.map((a) => [a.id, true]));

describe.each<Isolation>(["in-process", "process"])("suspensionSecret (%s)", (isolation) => {
  const suspend = async (limit: number, suspensionSecret?: string | Uint8Array) => {
    const { pay } = payTool();
    return expectSuspended(
      await execute(PROGRAM, {
        tools: [pay],
        isolation,
        inputs: { limit },
        ...(suspensionSecret !== undefined ? { suspensionSecret } : {}),
      }),
    );
  };
  const resume = (suspended: SuspendedExecution, suspensionSecret?: string | Uint8Array) => {
    const { paid, pay } = payTool();
    const done = resumeExecution(suspended, approveAll(suspended), {
      tools: [pay],
      isolation,
      ...(suspensionSecret !== undefined ? { suspensionSecret } : {}),
    });
    return { paid, done };
  };

  it("a keyed suspension resumes with its key (a string or the same bytes)", async () => {
    const keyed = await suspend(1, SECRET);
    expect((keyed.run as Run).seal.mac).toEqual(expect.any(String));
    const { paid, done } = resume(keyed, Buffer.from(SECRET, "utf8"));
    expect(await done).toMatchObject({ ok: true, value: ["paid", 1] });
    expect(paid).toEqual([5]);
  });

  it("a forged snapshot with a recomputed checksum: refused with the key, nothing ran; the checksum alone lets it through", async () => {
    // Without a key, the forgery reaches Monty: the donor's heap (limit = 1000) runs.
    const plain = forged(await suspend(1), await suspend(1000));
    const through = resume(plain);
    expect(await through.done).toMatchObject({ ok: true, value: ["paid", 1000] });

    const victim = await suspend(1, SECRET);
    const forgery = forged(victim, await suspend(1000, SECRET));
    const refused = resume(forgery, SECRET);
    await expect(refused.done).rejects.toThrow(InvalidOptionsError);
    await expect(refused.done).rejects.toThrow(/signature does not match.*Nothing ran/);
    expect(refused.paid).toEqual([]);
    // Dropping the signature makes it an unkeyed suspension, which a keyed resume refuses.
    const unsigned = edited(forgery, (run) => {
      delete run.seal.mac;
    });
    await expect(resume(unsigned, SECRET).done).rejects.toThrow(
      /sealed without a suspensionSecret and this resume passes one/,
    );
    // Nothing was used up: the genuine suspension still resumes, once.
    const genuine = resume(victim, SECRET);
    expect(await genuine.done).toMatchObject({ ok: true, value: ["paid", 1] });
    expect(genuine.paid).toEqual([5]);
  });

  it("the key covers the whole suspension: a changed record or lowered seal limits are refused", async () => {
    const keyed = await suspend(1, SECRET);
    const output = edited(keyed, (run) => {
      run.output = "I printed this";
    });
    await expect(resume(output, SECRET).done).rejects.toThrow(/signature does not match/);
    const limits = edited(keyed, (run) => {
      run.seal.limits.maxMemoryBytes = 1024;
    });
    await expect(resume(limits, SECRET).done).rejects.toThrow(/signature does not match/);
  });

  it("refused with another key or with none, accepted with the right one after", async () => {
    const keyed = await suspend(1, SECRET);
    const wrong = resume(keyed, OTHER);
    await expect(wrong.done).rejects.toThrow(
      /signature does not match: it was changed since it was suspended, or sealed with another suspensionSecret/,
    );
    const missing = resume(keyed);
    await expect(missing.done).rejects.toThrow(
      /sealed with a suspensionSecret and this resume passes none/,
    );
    expect([...wrong.paid, ...missing.paid]).toEqual([]);
    expect(await resume(keyed, SECRET).done).toMatchObject({ ok: true });
  });

  it("an unkeyed suspension is refused by a resume that passes a key", async () => {
    const plain = await suspend(1);
    await expect(resume(plain, SECRET).done).rejects.toThrow(
      /sealed without a suspensionSecret and this resume passes one.*Nothing ran/,
    );
    expect(await resume(plain).done).toMatchObject({ ok: true, value: ["paid", 1] });
  });
});

describe("suspensionSecret, checked where it is given", () => {
  const { pay } = payTool();
  it("a key under 32 bytes, or not a string or bytes, is refused by execute() and resumeExecution()", async () => {
    const message = /suspensionSecret must be a string or bytes of at least 32 bytes/;
    for (const suspensionSecret of ["short", new Uint8Array(31), 42 as never]) {
      await expect(execute("1", { tools: [pay], suspensionSecret })).rejects.toThrow(message);
    }
    const keyed = expectSuspended(
      await execute(PROGRAM, {
        tools: [pay],
        isolation: "in-process",
        inputs: { limit: 1 },
        suspensionSecret: new Uint8Array(32).fill(7),
      }),
    );
    await expect(
      resumeExecution(keyed, approveAll(keyed), { tools: [pay], suspensionSecret: "x".repeat(31) }),
    ).rejects.toThrow(InvalidOptionsError);
  });

  it("a keyed suspension survives v8.serialize into another process, which needs the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codemode-seal-"));
    const stateFile = join(dir, "suspended.bin");
    const keyed = expectSuspended(
      await execute(PROGRAM, {
        tools: [pay],
        isolation: "in-process",
        inputs: { limit: 1 },
        suspensionSecret: SECRET,
      }),
    );
    writeFileSync(stateFile, serialize(keyed));
    const script = fileURLToPath(new URL("./fixtures/resume-process.ts", import.meta.url));
    const run = (secret?: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env, STATE_FILE: stateFile };
      if (secret !== undefined) env.SECRET = secret;
      else delete env.SECRET;
      const child = spawnSync(process.execPath, ["--import", "tsx", script], {
        env,
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(child.status, child.stderr).toBe(0);
      return JSON.parse(child.stdout) as { refused?: string; result?: unknown; paid: number[] };
    };
    expect(run()).toMatchObject({
      refused: expect.stringMatching(/sealed with a suspensionSecret/),
      paid: [],
    });
    expect(run(SECRET)).toMatchObject({ result: { ok: true, value: ["paid", 1] }, paid: [5] });
  }, 90_000);
});
