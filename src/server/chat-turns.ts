/**
 * One run at a time per chat. A chat's state is loaded when its message arrives and saved
 * when its run ends; two messages of one chat running at once would both start from the
 * same state, and the one finishing last would drop what the other left. So a message of a
 * chat that is already running waits (holding no run slot) until that run has saved its
 * state, then loads it. Per process: servers behind a load balancer need sticky chats.
 */
export class ChatTurns {
  /** Per chat key, the promise the next message waits for; gone when nobody holds the chat. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Resolves with a release function once every earlier message of `chat` has released its
   * turn. Rejects with the signal's reason if it aborts first (the turn is given up).
   */
  async enter(chat: string, signal: AbortSignal): Promise<() => void> {
    const before = this.tails.get(chat) ?? Promise.resolve();
    let finish!: () => void;
    const mine = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const tail = before.then(() => mine);
    this.tails.set(chat, tail);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      finish();
      if (this.tails.get(chat) === tail) this.tails.delete(chat);
    };
    try {
      await untilAborted(before, signal);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /** Chats with a message running or waiting (for tests and /health). */
  get busy(): number {
    return this.tails.size;
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
