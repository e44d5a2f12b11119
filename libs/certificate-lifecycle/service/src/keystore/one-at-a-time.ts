/**
 * Runs the tasks handed to it one after another, in the order handed, whatever each one's outcome: for work that would
 * otherwise take every thread of a shared pool at once (RSA key pairs on libuv's threads, which also sync the event
 * store's WAL before a write is answered).
 */
export class OneAtATime {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.last.then(task, task);
    this.last = result.catch(() => undefined);
    return result;
  }
}
