/**
 * Runs `work` for every item, at most `limit` at once, in the items' order of start; resolves when all are done. After
 * a failure no further item starts: the ones running are awaited, then the first failure is thrown.
 */
export async function forEachAtMost<T>(items: Iterable<T>, limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const pending = items[Symbol.iterator]();
  let failure: { readonly error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    for (let next = pending.next(); !next.done && failure === null; next = pending.next()) {
      try {
        await work(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (failure !== null) throw (failure as { readonly error: unknown }).error;
}
