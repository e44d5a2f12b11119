import { configureConnection, createSchema } from '../../libs/event-store-sqlite/src/sqlite-schema';
import { rawAppendsPerSecond as appendLoop } from './raw-append-loop.cjs';

/**
 * The raw anchor of the create benchmarks: one INSERT per fsync'd transaction into a table like the event store's, same
 * pragmas, rows of the given `data` and `metadata` texts, for `seconds`, in a scratch file of `dir` removed after.
 */
export function rawAppendsPerSecond(dir: string, seconds: number, row: { readonly data: string; readonly metadata: string }): number {
  return appendLoop({ configureConnection, createSchema }, dir, seconds, row);
}
