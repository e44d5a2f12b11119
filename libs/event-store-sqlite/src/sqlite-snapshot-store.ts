import type { Database, Statement } from 'better-sqlite3';
import { nextTurnOfLoop, type Snapshot, type SnapshotStore } from '@as2-partners/kernel';
import type { GroupCommit } from './group-commit';

/** Elements of an array state per row: each row is read and parsed in its own turn of the event loop (~1 ms for a directory's 1,000 entries). */
export const SNAPSHOT_PART_SIZE = 1_000;
/** Loads restarted because a save replaced the snapshot between two of its parts, before the stream is folded from its events instead. */
const LOAD_ATTEMPTS = 3;
/**
 * Text of the parts a save writes in one transaction at most (one part more when a part alone is larger): each is a
 * turn of the event loop of ~1 ms a 500 KB. Written in one, a 214,000-entry directory's 24.6 MB held the loop ~60 ms
 * in the inserts and as long again in its commit.
 */
export const SNAPSHOT_WRITE_BYTES = 2 * 1024 * 1024;


/**
 * Snapshots in the event store's file (table `snapshots`), written with the appends' group commit. A state that is an
 * array (the directories' codecs write one) is stored in parts of SNAPSHOT_PART_SIZE elements, so loading a
 * 100,000-entry snapshot reads and parses it a part at a time, yielding between parts, instead of blocking on one
 * large read and parse. Snapshots saved with other part sizes (5,000 before) load the same way.
 *
 * A stream's snapshot is the run of parts from its lowest part number up to the first number missing. A save writes its
 * parts above every part the stream has (leaving a number out between), SNAPSHOT_WRITE_BYTES a transaction, unseen by
 * loads meanwhile; then, in one short transaction, deletes every part below its own, which makes it the lowest. A save
 * stopped half-way (a crash) leaves the snapshot before it whole; its parts are deleted by the next save's last step.
 * Saves of one stream run one after another; the older of two is then left unwritten, as before.
 */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly selectFirstPart: Statement<[string, string], { revision: number; part: number; state: string }>;
  private readonly selectPart: Statement<[string, string, number], { revision: number; state: string }>;
  private readonly deleteParts: Statement<[string, string]>;
  private readonly deletePartsBelow: Statement<[string, string, number]>;
  private readonly deletePartsIn: Statement<[string, string, number, number]>;
  private readonly countPartsIn: Statement<[string, string, number, number], { parts: number }>;
  private readonly highestPart: Statement<[string, string], { part: number | null }>;
  private readonly insertPart: Statement<[string, string, number, number, string]>;
  private readonly longestStreams: Statement<[string, number], { stream: string }>;
  /** Each stream's saves, one after another (by stream and name). */
  private readonly savesInFlight = new Map<string, Promise<void>>();

  constructor(
    db: Database,
    private readonly commits: GroupCommit,
  ) {
    this.selectFirstPart = db.prepare('SELECT revision, part, state FROM snapshots WHERE stream = ? AND name = ? ORDER BY part LIMIT 1');
    this.selectPart = db.prepare('SELECT revision, state FROM snapshots WHERE stream = ? AND name = ? AND part = ?');
    this.deleteParts = db.prepare('DELETE FROM snapshots WHERE stream = ? AND name = ?');
    this.deletePartsBelow = db.prepare('DELETE FROM snapshots WHERE stream = ? AND name = ? AND part < ?');
    this.deletePartsIn = db.prepare('DELETE FROM snapshots WHERE stream = ? AND name = ? AND part >= ? AND part < ?');
    this.countPartsIn = db.prepare('SELECT count(*) AS parts FROM snapshots WHERE stream = ? AND name = ? AND part >= ? AND part < ?');
    this.highestPart = db.prepare('SELECT max(part) AS part FROM snapshots WHERE stream = ? AND name = ?');
    this.insertPart = db.prepare('INSERT INTO snapshots (stream, name, part, revision, state) VALUES (?, ?, ?, ?, ?)');
    // Each stream's snapshot by its lowest part (a save's parts above it are not its snapshot yet).
    this.longestStreams = db.prepare(
      'SELECT stream FROM snapshots AS s WHERE name = ? AND part = (SELECT min(part) FROM snapshots WHERE stream = s.stream AND name = s.name) ORDER BY revision DESC LIMIT ?',
    );
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
      // A save replaces the snapshot in one transaction (its last): one that landed between two parts shows here, as
      // another lowest part (or, before it, as a part of another revision or a part missing).
      const lowest = this.selectFirstPart.get(stream, name);
      if (!replaced && lowest?.part === first.part && lowest.revision === first.revision) return { revision: first.revision, state };
    }
    // Saved over on every attempt: the stream is folded from its events, which is never wrong.
    return null;
  }

  async longest(name: string, limit: number): Promise<string[]> {
    return this.longestStreams.all(name, limit).map((row) => row.stream);
  }

  async save(stream: string, name: string, snapshot: Snapshot): Promise<void> {
    // One save of a stream at a time in this store: a save's parts go above every part the stream has when it begins,
    // so another's must begin after it has written all of its own.
    const key = `${stream}\u0000${name}`;
    const before = this.savesInFlight.get(key) ?? Promise.resolve();
    const saved = before.then(() => this.saveNow(stream, name, snapshot));
    const settled = saved.then(
      () => undefined,
      () => undefined,
    );
    this.savesInFlight.set(key, settled);
    void settled.then(() => {
      if (this.savesInFlight.get(key) === settled) this.savesInFlight.delete(key);
    });
    return saved;
  }

  private async saveNow(stream: string, name: string, snapshot: Snapshot): Promise<void> {
    if (!Array.isArray(snapshot.state)) {
      const text = JSON.stringify(snapshot.state);
      await this.commits.run(() => {
        if (this.newerStored(stream, name, snapshot.revision)) return;
        this.deleteParts.run(stream, name);
        this.insertPart.run(stream, name, -1, snapshot.revision, text);
      });
      return;
    }
    // One part serialised per turn of the event loop, as loads parse them: a 100,000-entry directory's save never blocks it at once.
    const state = snapshot.state as unknown[];
    const parts: string[] = [];
    for (let i = 0; i < Math.max(1, Math.ceil(state.length / SNAPSHOT_PART_SIZE)); i++) {
      if (i > 0) await nextTurnOfLoop();
      parts.push(JSON.stringify(state.slice(i * SNAPSHOT_PART_SIZE, (i + 1) * SNAPSHOT_PART_SIZE)));
    }
    // The parts above every part the stream has, a bounded transaction at a time; loads meanwhile read the snapshot before.
    let base: number | null = null;
    for (let from = 0; from < parts.length; ) {
      let to = from + 1;
      for (let bytes = (parts[from] as string).length; to < parts.length && bytes + (parts[to] as string).length <= SNAPSHOT_WRITE_BYTES; to++) bytes += (parts[to] as string).length;
      const first = from;
      const written = await this.commits.run(() => {
        if (base === null) {
          // Never replace a newer snapshot (two write models may save the same stream).
          if (this.newerStored(stream, name, snapshot.revision)) return false;
          base = (this.highestPart.get(stream, name)?.part ?? -2) + 2;
        } else if (this.countPartsIn.get(stream, name, base, base + first)?.parts !== first) {
          // Another save's last step deleted the parts written so far (it began after this one and is the newer).
          this.deletePartsIn.run(stream, name, base, base + parts.length);
          return false;
        }
        for (let i = first; i < to; i++) this.insertPart.run(stream, name, base + i, snapshot.revision, parts[i] as string);
        return true;
      });
      if (!written) return;
      from = to;
    }
    const start = base as number | null;
    if (start === null) return;
    // The last step: every part below this save's goes (the snapshot before, a stopped save's), unless a newer snapshot
    // became the lowest meanwhile or another save's last step took this one's parts.
    await this.commits.run(() => {
      const lowest = this.selectFirstPart.get(stream, name);
      const whole = this.countPartsIn.get(stream, name, start, start + parts.length)?.parts === parts.length;
      if (!whole || (lowest !== undefined && lowest.part < start && lowest.revision >= snapshot.revision)) {
        this.deletePartsIn.run(stream, name, start, start + parts.length);
        return;
      }
      this.deletePartsBelow.run(stream, name, start);
    });
  }

  /** Whether the stream's snapshot is at `revision` or later already. */
  private newerStored(stream: string, name: string, revision: number): boolean {
    const stored = this.selectFirstPart.get(stream, name);
    return stored !== undefined && stored.revision >= revision;
  }
}
