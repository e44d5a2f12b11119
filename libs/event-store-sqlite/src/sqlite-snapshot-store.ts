import type { Database, Statement } from 'better-sqlite3';
import type { Snapshot, SnapshotStore } from '@as2-partners/kernel';
import type { GroupCommit } from './group-commit';

/** Elements of an array state per row: each row is read and parsed in its own turn of the event loop (~1 ms for a directory's 1,000 entries). */
export const SNAPSHOT_PART_SIZE = 1_000;
/** Loads restarted because a save replaced the snapshot between two of its parts, before the stream is folded from its events instead. */
const LOAD_ATTEMPTS = 3;

const nextTurnOfLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Snapshots in the event store's file (table `snapshots`), written with the appends' group commit. A state that is an
 * array (the directories' codecs write one) is stored in parts of SNAPSHOT_PART_SIZE elements, so loading a
 * 100,000-entry snapshot reads and parses it a part at a time, yielding between parts, instead of blocking on one
 * large read and parse. Snapshots saved with other part sizes (5,000 before) load the same way.
 */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly selectFirstPart: Statement<[string, string], { revision: number; part: number; state: string }>;
  private readonly selectPart: Statement<[string, string, number], { revision: number; state: string }>;
  private readonly deleteParts: Statement<[string, string]>;
  private readonly insertPart: Statement<[string, string, number, number, string]>;
  private readonly latestRevision: Statement<[string, string], { revision: number }>;
  private readonly longestStreams: Statement<[string, number], { stream: string }>;

  constructor(
    db: Database,
    private readonly commits: GroupCommit,
  ) {
    this.selectFirstPart = db.prepare('SELECT revision, part, state FROM snapshots WHERE stream = ? AND name = ? ORDER BY part LIMIT 1');
    this.selectPart = db.prepare('SELECT revision, state FROM snapshots WHERE stream = ? AND name = ? AND part = ?');
    this.deleteParts = db.prepare('DELETE FROM snapshots WHERE stream = ? AND name = ?');
    this.insertPart = db.prepare('INSERT INTO snapshots (stream, name, part, revision, state) VALUES (?, ?, ?, ?, ?)');
    this.latestRevision = db.prepare('SELECT revision FROM snapshots WHERE stream = ? AND name = ? AND part = 0');
    this.longestStreams = db.prepare('SELECT stream FROM snapshots WHERE name = ? AND part <= 0 ORDER BY revision DESC LIMIT ?');
  }

  async load(stream: string, name: string, nextTurn: () => Promise<void> = nextTurnOfLoop): Promise<Snapshot | null> {
    for (let attempt = 1; attempt <= LOAD_ATTEMPTS; attempt++) {
      const first = this.selectFirstPart.get(stream, name);
      if (!first) return null;
      // part -1: a state that is not an array, in one row.
      if (first.part === -1) return { revision: first.revision, state: JSON.parse(first.state) as unknown };
      const state = JSON.parse(first.state) as unknown[];
      let replaced = false;
      for (let part = first.part + 1; ; part++) {
        await nextTurn();
        const row = this.selectPart.get(stream, name, part);
        if (!row) break;
        if (row.revision !== first.revision) {
          replaced = true;
          break;
        }
        for (const element of JSON.parse(row.state) as unknown[]) state.push(element);
      }
      // A save replaces every part in one transaction: one that landed between two parts (fewer parts, or another revision) shows here.
      if (!replaced && this.latestRevision.get(stream, name)?.revision === first.revision) return { revision: first.revision, state };
    }
    // Saved over on every attempt: the stream is folded from its events, which is never wrong.
    return null;
  }

  async longest(name: string, limit: number): Promise<string[]> {
    return this.longestStreams.all(name, limit).map((row) => row.stream);
  }

  async save(stream: string, name: string, snapshot: Snapshot): Promise<void> {
    // One part serialised per turn of the event loop, as loads parse them: a 100,000-entry directory's save never blocks it at once.
    let parts: string[] | null = null;
    if (Array.isArray(snapshot.state)) {
      const state = snapshot.state as unknown[];
      parts = [];
      for (let i = 0; i < Math.max(1, Math.ceil(state.length / SNAPSHOT_PART_SIZE)); i++) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        parts.push(JSON.stringify(state.slice(i * SNAPSHOT_PART_SIZE, (i + 1) * SNAPSHOT_PART_SIZE)));
      }
    }
    await this.commits.run(() => {
      // Never replace a newer snapshot (two write models may save the same stream).
      const stored = this.latestRevision.get(stream, name) ?? this.selectFirstPart.get(stream, name);
      if (stored && stored.revision >= snapshot.revision) return;
      this.deleteParts.run(stream, name);
      if (parts === null) this.insertPart.run(stream, name, -1, snapshot.revision, JSON.stringify(snapshot.state));
      else parts.forEach((part, i) => this.insertPart.run(stream, name, i, snapshot.revision, part));
    });
  }
}
