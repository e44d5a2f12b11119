import { setFlagsFromString } from 'node:v8';
import { readInteger, type Environment } from '../config/environment-variables';

/**
 * How far V8 lets the old generation grow past what the last full collection kept, in percent. V8's own factor (up to
 * 4×) let garbage pile up to ~1.3 GiB of RSS over a 381 MiB live heap at 1,000,000 partners (docs/benchmarks.md,
 * "Memory at one million partners"); 1.5× kept it under 800 MiB at the same CPU.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** The V8 flag HEAP_GROWING_PERCENT asks for (0: V8's own growth), or null when it asks for none. */
export function heapGrowthFlag(env: Environment): string | null {
  const percent = readInteger(env, 'HEAP_GROWING_PERCENT', DEFAULT_HEAP_GROWING_PERCENT, 0, 300);
  return percent === 0 ? null : `--heap-growing-percent=${percent}`;
}

/** Applies HEAP_GROWING_PERCENT to this process's heap (V8 reads the factor at each full collection). */
export function limitHeapGrowth(env: Environment = process.env, apply: (flag: string) => void = setFlagsFromString): void {
  const flag = heapGrowthFlag(env);
  if (flag !== null) apply(flag);
}
