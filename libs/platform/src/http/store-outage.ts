/** Tells whether an error is a store's outage (its server unreachable), registered by the adapters a process opens. */
export type StoreOutageTest = (error: unknown) => boolean;

const tests: StoreOutageTest[] = [];

/** Registers an adapter's outage test once (composition does, for the stores it opens). */
export function registerStoreOutage(test: StoreOutageTest): void {
  if (!tests.includes(test)) tests.push(test);
}

/** Whether `error`, or an error it was caused by, is an outage of a store this process uses. */
export function isStoreOutage(error: unknown): boolean {
  let current: unknown = error;
  // Not `instanceof Error`: an error made in another realm (a native module's, bound to the first that loaded it) is not one.
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const candidate = current;
    if (tests.some((test) => test(candidate))) return true;
    current = (candidate as { cause?: unknown }).cause;
  }
  return false;
}
