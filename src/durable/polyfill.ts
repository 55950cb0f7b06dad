/**
 * The Restate SDK calls `Promise.withResolvers`, which Node 20 lacks (it arrived in Node 22).
 * Imported for its side effect before the SDK is loaded.
 */
interface WithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseCtor = Promise as unknown as { withResolvers?: <T>() => WithResolvers<T> };

if (typeof PromiseCtor.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): WithResolvers<T> {
      let resolve!: WithResolvers<T>["resolve"];
      let reject!: WithResolvers<T>["reject"];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
