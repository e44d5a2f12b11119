/**
 * What the adapters opened for a start want done if that start fails (composition: a SQLite corruption error marks the
 * read-model file, so the next start rebuilds it). Each is told once, of the start under way when it was registered.
 */
export type FailedStartHandler = (error: unknown) => void | Promise<void>;

const pending = new Set<FailedStartHandler>();

/** Registers a handler for the start under way; the returned function withdraws it (the adapter closed). */
export function whenStartFails(handler: FailedStartHandler): () => void {
  pending.add(handler);
  return () => void pending.delete(handler);
}

/**
 * The start failed: every handler registered for it is told, in the order they were registered, then forgotten;
 * resolves once each is done (one failing does not stop the others, nor hide the start's error).
 */
export async function startFailedWith(error: unknown): Promise<void> {
  const handlers = [...pending];
  pending.clear();
  for (const handler of handlers) {
    try {
      await handler(error);
    } catch {
      // A handler's own failure must not hide the start's.
    }
  }
}

/** The start succeeded: its handlers are forgotten (a later failure is another start's). */
export function startSucceeded(): void {
  pending.clear();
}
