/**
 * Keeps journal entries in call order. Restate matches a replayed journal to the code by
 * position, so the step for tool call #3 must always be created after #1 and #2, even when
 * a `parallel_map` starts them concurrently and an async validator lets #3 overtake #2.
 * A call is "released" once its step exists, or once it ended without one (a validation
 * error never reaches the tool); call #n waits until every call before it is released.
 */
export class CallSequencer {
  private released = new Set<number>();
  private next = 1;
  private waiters = new Map<number, () => void>();

  /** Resolves when every call before `seq` is released. */
  turn(seq: number): Promise<void> {
    if (seq <= this.next) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(seq, resolve));
  }

  release(seq: number): void {
    if (seq < this.next || this.released.has(seq)) return;
    this.released.add(seq);
    while (this.released.has(this.next)) {
      this.released.delete(this.next);
      this.next += 1;
      const wake = this.waiters.get(this.next);
      if (wake) {
        this.waiters.delete(this.next);
        wake();
      }
    }
  }
}
