/**
 * Ends a run whose browser tests skipped for want of Chromium with one line saying so and
 * how to get it (the skip is otherwise easy to miss in a long run). Listed in
 * vitest.config.ts next to the default reporter.
 */
import type { Reporter, TestModule } from "vitest/node";
import { CHROMIUM, GET_CHROMIUM, hasChromium } from "./chromium.js";

export default class SkippedBrowserTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (hasChromium) return;
    let skipped = 0;
    for (const module of testModules) {
      if (!/[/\\]test[/\\]browser[/\\]/.test(module.moduleId)) continue;
      for (const test of module.children.allTests()) {
        if (test.result().state === "skipped") skipped++;
      }
    }
    if (skipped === 0) return;
    process.stdout.write(
      `\n${skipped} browser test(s) SKIPPED: no Chromium at ${CHROMIUM}. ${GET_CHROMIUM}\n`,
    );
  }
}
