import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full, synchronous collection of what the start left behind, run once before the process listens. A start builds
 * a large heap (a hub's directory restored, the read models' first pages, every module): with HEAP_GROWING_PERCENT's
 * tight limit V8 begins marking the old generation during the start, and finished it (with its helper threads and a
 * finalizing pause on the event loop) right on the first requests. Measured at 250,000 hub partners
 * (docs/benchmarks.md): the first create after a restart spent ~30 ms in the collector and waited for a core behind
 * 50–110 ms of the helpers' marking; after this collection (40–55 ms, before ready) neither, and ready no later.
 * Returns the ms it took.
 */
export function collectStartGarbage(collect: () => void = fullCollection): number {
  const started = performance.now();
  collect();
  return performance.now() - started;
}

/** V8's full collection: `gc` is on the global only with --expose-gc; with the flag set now, a new context has it. */
function fullCollection(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed();
  setFlagsFromString('--expose-gc');
  try {
    (runInNewContext('gc') as () => void)();
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
