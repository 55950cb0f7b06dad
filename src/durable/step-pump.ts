/**
 * Awaits Restate promises one race at a time. The SDK allows a single awaiter at a time
 * ("awaitNext already pending" otherwise), yet a `parallel_map` has several tool steps in
 * flight. So every step is handed to this pump, which races all pending steps in one
 * `RestatePromise.race` (which also starts their closures together), settles the winner,
 * lets the freed caller create its next step, and races the rest again.
 */
import type { RestatePromise, TerminalError } from "@restatedev/restate-sdk";

type Race = <T>(values: readonly RestatePromise<T>[]) => RestatePromise<T>;

interface Waiter {
  promise: RestatePromise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

interface Settled {
  id: number;
  value?: unknown;
  failure?: TerminalError;
}

export class StepPump {
  private readonly waiting = new Map<number, Waiter>();
  private ids = 0;
  private running = false;

  constructor(private readonly race: Race) {}

  wait<T>(promise: RestatePromise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(++this.ids, {
        promise,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.size > 0) {
        // Callers freed by the last step create their next one in microtasks: include it.
        await new Promise((resolve) => setImmediate(resolve));
        const racers = [...this.waiting].map(([id, w]) =>
          w.promise.map((value, failure): Settled => ({ id, value, failure })),
        );
        const winner = await this.race(racers);
        const waiter = this.waiting.get(winner.id);
        this.waiting.delete(winner.id);
        if (winner.failure !== undefined) waiter?.reject(winner.failure);
        else waiter?.resolve(winner.value);
      }
    } catch (error) {
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    } finally {
      this.running = false;
    }
  }
}
