import type { Database } from 'better-sqlite3';

/** The event store's schema the loop appends through. */
export interface RawAppendSchema {
  configureConnection(db: Database): void;
  createSchema(db: Database): void;
}

/** One INSERT per fsync'd transaction, rows of `row`'s texts, for `seconds`, in a scratch file of `dir`: appends a second. */
export declare function rawAppendsPerSecond(schema: RawAppendSchema, dir: string, seconds: number, row: { readonly data: string; readonly metadata: string }): number;
