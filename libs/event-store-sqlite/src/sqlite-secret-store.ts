import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Database as Connection } from 'better-sqlite3';
import { EventStoreUnavailableError, sqliteIntegrityProblem, type ReadModelStore, type SecretCollection, type SecretDocument, type SecretOwner, type SecretStore } from '@as2-partners/kernel';
import { configureConnection } from './sqlite-schema';
import { storeUnavailableFrom } from './store-unavailable';

export interface SqliteSecretStoreOptions {
  /**
   * Where earlier versions kept these collections (the read-model file): a collection's documents found there are
   * moved here the first time it is asked for (copied when missing here, then deleted there), before any of its
   * operations answers. Moving again finds nothing; a move cut short is finished by the next one.
   */
  readonly movedFrom?: ReadModelStore;
}

/** What to do about a corrupt secret file: unlike the read models, what it holds is found nowhere else. */
const NO_RESTART_REPAIRS = 'no restart repairs it; stop the service and restore the file from a backup (README)';

/** A page of the walk over a collection being moved. */
const PAGE = 500;

/** What the readiness check writes while writes fail: more than the largest put (a sealed RSA-4096 key, ~4 KB). */
export const SECRET_WRITE_PROBE_BYTES = 16 * 1024;

/**
 * The embedded secret store: one SQLite file of its own (`secrets.sqlite` beside `events.sqlite`), opened as durably
 * as the event store (WAL, synchronous=FULL: a put that resolved survives a crash or power loss), with secure_delete on
 * so a destroyed key's bytes are overwritten rather than left in a free page. Nothing sets it aside or rebuilds it:
 * unlike the read models, what it holds is found nowhere else.
 */
export class SqliteSecretStore implements SecretStore {
  private readonly moves = new Map<string, Promise<void>>();
  private readonly statements: ReturnType<typeof prepareStatements>;

  /** The file's inode when opened (null: in memory): another one at its path, or none, means it was removed while open. */
  private readonly inode: number | null;

  /** The last write the file refused (disk full, read-only, an I/O error), until a write goes through again. */
  private failure: EventStoreUnavailableError | null = null;

  private corruptionChecked = false;
  /** What PRAGMA quick_check found wrong with the file; null while nothing was found. */
  private corruption: string | null = null;

  private constructor(
    private readonly db: Connection,
    private readonly file: string,
    private readonly movedFrom: ReadModelStore | undefined,
  ) {
    this.statements = prepareStatements(db);
    this.inode = file === ':memory:' ? null : statSync(file).ino;
  }

  static open(file: string, options: SqliteSecretStoreOptions = {}): SqliteSecretStore {
    const db = new Database(file);
    try {
      configureConnection(db);
      db.pragma('secure_delete = ON');
      db.exec(`
        CREATE TABLE IF NOT EXISTS secrets (
          collection TEXT NOT NULL,
          id         TEXT NOT NULL,
          account    TEXT NOT NULL,
          tenant     TEXT,
          document   TEXT NOT NULL,
          PRIMARY KEY (collection, id)
        );
        CREATE INDEX IF NOT EXISTS secrets_by_owner ON secrets (collection, account, tenant);
        -- One row the readiness check rewrites while writes fail, to learn whether a put goes through again.
        CREATE TABLE IF NOT EXISTS write_probe (
          id   INTEGER PRIMARY KEY,
          data BLOB    NOT NULL
        );
      `);
      return new SqliteSecretStore(db, file, options.movedFrom);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  collection<T extends SecretDocument>(name: string): SecretCollection<T> {
    // Moved at once (the services ask for their collections as they start), not at the first request.
    this.moved(name).catch(() => undefined);
    const s = this.statements;
    const ready = () => this.moved(name);
    return {
      get: async (id) => {
        await ready();
        const row = s.get.get(name, id);
        return row ? (JSON.parse(row.document) as T) : null;
      },
      put: async (doc) => {
        await ready();
        this.refuseIfRemoved();
        this.written(() => s.put.run(name, doc._id, doc.account, doc.tenant ?? null, JSON.stringify(doc)));
      },
      // A deletion goes ahead in a removed file: what it deletes is gone at the next start anyway, and it is the last
      // step of a change already stored (a key's or a tenant's deletion), which a refusal here would report as not made.
      delete: async (id) => {
        await ready();
        this.written(() => {
          if (s.delete.run(name, id).changes > 0) this.overwriteDeleted();
        });
      },
      deleteMany: async (owner) => {
        await ready();
        const { where, params } = ofOwner(name, owner);
        return this.written(() => {
          const { changes } = this.db.prepare(`DELETE FROM secrets WHERE ${where}`).run(...params);
          if (changes > 0) this.overwriteDeleted();
          return changes;
        });
      },
      find: async (owner) => {
        await ready();
        const { where, params } = ofOwner(name, owner);
        const rows = this.db.prepare<unknown[], { document: string }>(`SELECT document FROM secrets WHERE ${where} ORDER BY id`).all(...params);
        return rows.map((row) => JSON.parse(row.document) as T);
      },
    };
  }

  /**
   * secure_delete zeroes a deleted row in the page the WAL holds, but the WAL keeps the page as it was before: copied
   * into the file and the WAL emptied now, a destroyed key is gone from the disk, not only from the table.
   */
  private overwriteDeleted(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * For tests and the readiness check: the file answers, is still the one opened, and takes writes again once one was
   * refused (a write of a put's size, SECRET_WRITE_PROBE_BYTES, tells).
   */
  async ping(): Promise<void> {
    if (this.corruption !== null) throw new Error(`the secret file ${this.file} is corrupt (${this.corruption}): ${NO_RESTART_REPAIRS}`);
    this.refuseIfRemoved();
    this.statements.ping.get();
    if (this.failure !== null) this.written(() => this.statements.probeWrite.run(SECRET_WRITE_PROBE_BYTES));
  }

  /**
   * Runs a write: one the file refused (disk full, read-only, an I/O error) is the kernel's EventStoreUnavailableError,
   * answered 503 STORE_UNAVAILABLE with nothing stored (SQLite undid the statement), and fails readiness until a write
   * goes through again.
   */
  private written<T>(write: () => T): T {
    let result: T;
    try {
      result = write();
    } catch (error) {
      const refused = storeUnavailableFrom(error, 'secret store');
      if (refused === null) throw error;
      this.failure = refused;
      throw refused;
    }
    this.failure = null;
    return result;
  }

  /**
   * A statement of this process failed with SQLite's corruption error (which file's, the error does not say): checks
   * this file once (PRAGMA quick_check). Whether it is corrupt.
   */
  suspectCorruption(): boolean {
    if (!this.corruptionChecked && this.db.open) {
      this.corruptionChecked = true;
      this.corruption = sqliteIntegrityProblem(this.db);
    }
    return this.corruption !== null;
  }

  /**
   * Why only a restart brings this store back, or null: its file removed from the directory while open (SQLite would go
   * on writing keys and passwords into a file nobody finds again, all of them lost at the next start).
   */
  restartNeeded(): string | null {
    if (this.inode === null) return null;
    let current: number | null;
    try {
      current = statSync(this.file).ino;
    } catch {
      current = null;
    }
    return current === this.inode ? null : `the secret file was removed from ${this.file} while open: restart the service (keys and passwords stored since are lost)`;
  }

  /**
   * Why no change should be made now, or null: the file removed while open. A key or password written now would be lost
   * at the restart, and one sealed with a data key it still holds could not be read after it (the composition refuses
   * every decision meanwhile, as for a read-model file that cannot follow).
   */
  writeRefusal(): EventStoreUnavailableError | null {
    const removed = this.restartNeeded();
    return removed === null ? null : new EventStoreUnavailableError(removed, false);
  }

  /** A write into a removed file is refused 503 STORE_UNAVAILABLE before it is made, nothing stored. */
  private refuseIfRemoved(): void {
    const refused = this.writeRefusal();
    if (refused !== null) throw refused;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.moves.values());
    if (this.db.open) this.db.close();
  }

  /** The collection's move out of the read-model file, once per open store; retried by the next operation when it failed. */
  private moved(name: string): Promise<void> {
    const from = this.movedFrom;
    if (!from) return Promise.resolve();
    let move = this.moves.get(name);
    if (!move) {
      move = this.move(name, from);
      move.catch(() => this.moves.delete(name));
      this.moves.set(name, move);
    }
    return move;
  }

  private async move(name: string, from: ReadModelStore): Promise<void> {
    const old = from.collection<SecretDocument>(name, [['account', 'tenant']]);
    const documents: SecretDocument[] = [];
    for (let skip = 0; ; skip += PAGE) {
      const page = await old.find({ filter: {}, sort: { _id: 1 }, skip, limit: PAGE, withoutTotal: true });
      documents.push(...page.items);
      if (page.items.length < PAGE) break;
    }
    if (documents.length === 0) return;
    // Copied durably first (what is here already wins: it is newer), deleted there after: a crash in between leaves a copy, never none.
    this.written(() =>
      this.db.transaction(() => {
        for (const doc of documents) this.statements.putMissing.run(name, doc._id, doc.account, doc.tenant ?? null, JSON.stringify(doc));
      })(),
    );
    for (const doc of documents) await old.delete(doc._id);
    await from.committed?.();
  }
}

/** The rows of a collection an owner names: its account (when given) and tenant (when given; null: account-wide). */
function ofOwner(name: string, owner: SecretOwner): { where: string; params: (string | null)[] } {
  const where = ['collection = ?'];
  const params: (string | null)[] = [name];
  if (owner.account !== undefined) {
    where.push('account = ?');
    params.push(owner.account);
  }
  if (owner.tenant !== undefined) {
    where.push('tenant IS ?');
    params.push(owner.tenant);
  }
  return { where: where.join(' AND '), params };
}

function prepareStatements(db: Connection) {
  return {
    get: db.prepare<[string, string], { document: string }>('SELECT document FROM secrets WHERE collection = ? AND id = ?'),
    put: db.prepare<[string, string, string, string | null, string]>(
      'INSERT INTO secrets (collection, id, account, tenant, document) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (collection, id) DO UPDATE SET account = excluded.account, tenant = excluded.tenant, document = excluded.document',
    ),
    putMissing: db.prepare<[string, string, string, string | null, string]>(
      'INSERT INTO secrets (collection, id, account, tenant, document) VALUES (?, ?, ?, ?, ?) ON CONFLICT (collection, id) DO NOTHING',
    ),
    delete: db.prepare<[string, string]>('DELETE FROM secrets WHERE collection = ? AND id = ?'),
    ping: db.prepare('SELECT 1'),
    // A put's size of random bytes, written anew (its pages rewritten, every one of them logged).
    probeWrite: db.prepare<[number]>('INSERT OR REPLACE INTO write_probe (id, data) VALUES (1, randomblob(?))'),
  };
}
