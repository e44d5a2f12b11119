import { createConnection } from 'mongoose';

/** A database of one suite's own on a MongoDB-wire server (named `test_<prefix>_…`), its indexes read and the whole of it dropped at the end. */
export interface ScratchMongoDatabase {
  readonly dbName: string;
  /** The key of each index the collection has, as the server lists them. */
  indexKeys(collection: string): Promise<unknown[]>;
  drop(): Promise<void>;
}

export function scratchMongoDatabase(url: string, prefix: string): ScratchMongoDatabase {
  const dbName = `test_${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const withConnection = async <T>(use: (db: NonNullable<Awaited<ReturnType<typeof connect>>['db']>) => Promise<T>): Promise<T> => {
    const connection = await connect();
    try {
      return await use(connection.db as NonNullable<typeof connection.db>);
    } finally {
      await connection.close();
    }
  };
  const connect = () => createConnection(url, { dbName }).asPromise();
  return {
    dbName,
    indexKeys: (collection) => withConnection(async (db) => (await db.collection(collection).indexes()).map((index) => index['key'])),
    drop: () =>
      withConnection(async (db) => {
        if (!dbName.startsWith('test_')) throw new Error(`refusing to drop "${dbName}"`);
        await db.dropDatabase();
      }),
  };
}

/** Every `stage` and `indexName` in an `explain()` plan tree, whatever its nesting (classic or slot-based engine). */
export function planParts(node: unknown, into = { stages: [] as string[], indexes: [] as string[] }): typeof into {
  if (Array.isArray(node)) for (const item of node) planParts(item, into);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'stage' && typeof value === 'string') into.stages.push(value);
      else if (key === 'indexName' && typeof value === 'string') into.indexes.push(value);
      else if (key !== 'rejectedPlans') planParts(value, into);
    }
  }
  return into;
}

/**
 * A MongoDB-wire `explain()` of `filter` read through `index`, in its order: on MongoDB an index scan of that index, no
 * collection scan, no sort stage. FerretDB 1.x explains with its own SQLite plan and reports no index for these filters:
 * there the query sent must be the indexed one.
 */
export function expectIndexedPlan(explained: Record<string, unknown>, filter: unknown, index: readonly string[]): void {
  const serverInfo = explained['serverInfo'] as Record<string, unknown> | undefined;
  if (serverInfo?.['ferretdbVersion']) {
    expect(explained['ok']).toBe(1);
    expect((explained['command'] as { filter: unknown }).filter).toEqual(filter);
    return;
  }
  const { stages, indexes } = planParts((explained['queryPlanner'] as Record<string, unknown>)['winningPlan']);
  expect(stages).toContain('IXSCAN');
  expect(stages).not.toContain('COLLSCAN');
  expect(stages).not.toContain('SORT');
  expect(indexes).toContain(index.map((field) => `${field}_1`).join('_'));
}
