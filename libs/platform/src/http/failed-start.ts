/**
 * What the adapters opened for a start want done if that start fails (composition: a SQLite corruption error marks the
 * read-model file, so the next start rebuilds it). Each is told once, of the start under way when it was registered.
 */
export type FailedStartHandler = (error: unknown) => void;

const pending = new Set<FailedStartHandler>();

/** Registers a handler for the start under way; the returned function withdraws it (the adapter closed). */
export function whenStartFails(handler: FailedStartHandler): () => void {
  pending.add(handler);
  return () => void pending.delete(handler);
}

/** The start failed: every handler registered for it is told (one throwing does not stop the others), then forgotten. */
export function startFailedWith(error: unknown): void {
  const handlers = [...pending];
  pending.clear();
  for (const handler of handlers) {
    try {
      handler(error);
    } catch {
      // A handler's own failure must not hide the start's.
    }
  }
}

/** The start succeeded: its handlers are forgotten (a later failure is another start's). */
export function startSucceeded(): void {
  pending.clear();
}
