const gc = (globalThis as { gc?: () => void }).gc;

/** The heap in use once two full collections have run (what is still reachable); needs `node --expose-gc`. */
export function settledHeapBytes(): number {
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
