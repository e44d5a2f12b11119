import { statSync } from 'node:fs';

/**
 * The read-model file cannot take writes until a restart: a commit failed (its writes and checkpoints undone), or the
 * file was removed from its directory while open (SQLite would go on writing into a file nobody finds again). A store
 * outage: requests that write to it are answered 503 `STORE_UNAVAILABLE`, readiness fails.
 */
export class ReadModelStoreFailedError extends Error {
  override readonly name = 'ReadModelStoreFailedError';
}

/**
 * A check that `file` is still the file opened: an error once it was removed or replaced (another inode at its path),
 * null while it is. None for a throwaway (`:memory:`) store.
 */
export function removalCheck(file: string): (() => ReadModelStoreFailedError | null) | undefined {
  if (file === ':memory:') return undefined;
  const opened = statSync(file).ino;
  return () => {
    let current: number | null;
    try {
      current = statSync(file).ino;
    } catch {
      current = null;
    }
    return current === opened ? null : new ReadModelStoreFailedError(`the read-model file was removed from ${file} while open: restart the service`);
  };
}
