/**
 * What the adapters opened for a start want done if that start fails (composition: a SQLite corruption error marks the
 * read-model file, so the next start rebuilds it). Each is told once, of the start under way when it was registered. One
 * that knows the failure better than its error says (which file is corrupt) answers the error to fail the start with.
 */
export type FailedStartHandler = (error: unknown) => void | Error | Promise<void | Error>;

const pending = new Set<FailedStartHandler>();

/** Registers a handler for the start under way; the returned function withdraws it (the adapter closed). */
export function whenStartFails(handler: FailedStartHandler): () => void {
  pending.add(handler);
  return () => void pending.delete(handler);
}

/**
 * The start failed: every handler registered for it is told, in the order they were registered, then forgotten;
 * resolves once each is done (one failing does not stop the others, nor hide the start's error), with the first error a
 * handler answered to fail the start with instead, if any.
 */
export async function startFailedWith(error: unknown): Promise<Error | undefined> {
  const handlers = [...pending];
  pending.clear();
  let explained: Error | undefined;
  for (const handler of handlers) {
    try {
      explained ??= (await handler(error)) ?? undefined;
    } catch {
      // A handler's own failure must not hide the start's.
    }
  }
  return explained;
}

/** The start succeeded: its handlers are forgotten (a later failure is another start's). */
export function startSucceeded(): void {
  pending.clear();
}
