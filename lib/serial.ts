/**
 * One operation at a time, in the order they were asked for: what a socket needs so that a slow
 * message is finished before the next one is looked at, whatever the failures.
 *
 * @example
 * ```ts
 * const queue = new SerialQueue();
 * socket.onmessage = (e) => queue.run(() => handle(e.data)).catch(report);
 * await queue.idle(); // everything asked so far is done
 * ```
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after everything queued before it; its failure is the caller's, not the queue's. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => {});
    return result;
  }

  /** Resolves once everything queued so far has run. */
  idle(): Promise<void> {
    return this.#tail.then(() => {});
  }
}
