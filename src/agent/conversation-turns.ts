/**
 * One run at a time per conversation. A conversation's state is read when its message
 * arrives and kept when its run ends; two messages of one conversation running at once
 * would both start from the same state, and the one finishing last would drop what the
 * other left. So a message whose conversation is running waits until that run has kept its
 * state, then reads it. The chat server keys it by chat, the MCP server by session. Per
 * process: servers behind a load balancer need sticky conversations.
 */
export class ConversationTurns {
  /** Per conversation key, the promise the next message waits for; gone when none is running. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Resolves with a release function once every earlier message of `key` has released its
   * turn. Rejects with the signal's reason if it aborts first (the turn is given up).
   */
  async enter(key: string, signal: AbortSignal): Promise<() => void> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let finish!: () => void;
    const mine = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      finish();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    try {
      await untilAborted(before, signal);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }
}

function untilAborted(wait: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    wait.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
