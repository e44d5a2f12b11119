import { commandEventId } from './command-event-ids';
import { nextTurnOfLoop, type Decider, type SnapshotCodec } from './decider';
import type { EventMetadata, NewEvent, RecordedEvent } from './event-envelope';
import { WrongExpectedRevisionError } from './event-store.errors';
import type { CommittedAppend, EventStore, ExpectedRevision } from './event-store.port';
import { FoldedStateCache, type FoldedState } from './folded-state-cache';
import { schemaVersionOf, type DecidedEvent } from './new-events';
import { timeOrderedUuid } from './time-ordered-ids';

export interface LoadedState<S> {
  readonly state: S;
  /** Expected revision for the next append: the last event's revision, or 'no_stream'. */
  readonly revision: ExpectedRevision;
}

export interface Decision<S, E> {
  /** The stream's state after the decision: what a handler answers from. */
  readonly state: S;
  /** The events this command appended (or had appended already, when its command id was seen). */
  readonly events: readonly E[];
  /** Global position of the command's last event; null when the decision produced no event. */
  readonly position: number | null;
}

/** One command of a batch decided on one stream, with the metadata its events carry. */
export interface BatchedCommand<C, S> {
  readonly command: C | ((state: S) => C | null | Promise<C | null>);
  readonly metadata: EventMetadata;
}

/**
 * A batched command's outcome: its decision, or the error it alone was refused with. `durable` resolves once the
 * decision's events are on disk: at once, unless the batch was decided `untilCommitted` on a store that answers at commit.
 */
export type BatchedOutcome<S, E> =
  | { readonly ok: true; readonly decision: Decision<S, E>; readonly durable: Promise<void> }
  | { readonly ok: false; readonly error: unknown };

export interface DecideOptions<C> {
  /**
   * Attempts on a concurrent append (WrongExpectedRevisionError); each re-reads the stream and decides again.
   * 1 for a command that must not be decided twice.
   */
  readonly attempts?: number;
  /** Makes the command idempotent: its events get ids derived from it, and a repeat returns the first outcome. */
  readonly commandId?: string;
  /** Metadata from the command decided, so it carries the same `now` (default: the metadata given). */
  readonly metadataOf?: (command: C) => EventMetadata;
  /**
   * The stream is named by an id made just now (a new entity's, without a command id): the first attempt decides on the
   * initial state without reading the stream, and its append expects none (a stream there after all is a concurrent
   * append: WrongExpectedRevisionError, read and decided again on the next attempt).
   */
  readonly newStream?: boolean;
}

const DEFAULT_ATTEMPTS = 10;
/** Events read and folded between two yields to the event loop, so no fold blocks it for long. */
export const FOLD_CHUNK = 500;
/** A turn of the event loop for others (a request, /health/live) between slices of a long load. */

/** A stream whose decider has a snapshot codec is snapshotted after this many events since its last snapshot (at least). */
export const DEFAULT_SNAPSHOT_EVERY = 1_000;

/**
 * The write side of one process component: load a stream's state through a decider, decide a command on it and
 * append the events with the loaded revision as the expected one. It owns the cache of folded states, so two
 * components in one process (embedded mode) never share one.
 */
export class WriteModel {
  private readonly cache: FoldedStateCache;

  private readonly snapshotEvery: number;

  private readonly nextTurn: () => Promise<void>;

  /** Snapshot restores in flight, by codec and stream: a command arriving while the stream is being warmed waits for that restore instead of doing its own. */
  private readonly restoring = new Map<string, Promise<{ state: unknown; revision: number; snapshotRevision: number }>>();

  /** Snapshot saves in flight, by stream. */
  private readonly saving = new Map<string, Promise<void>>();

  /** Asked before each decision's append: an error refuses it (nothing stored), null lets it through. */
  private readonly refusal: () => Error | null;

  constructor(
    readonly store: EventStore,
    /**
     * nextTurn: what a long load awaits between its slices (a turn of the event loop; a spec counts the work between
     * them); refusal: why no decision is stored now (the read side can no longer follow what it would store), or null.
     */
    options: {
      readonly maxCachedStreams?: number;
      readonly snapshotEvery?: number;
      readonly nextTurn?: () => Promise<void>;
      readonly refusal?: () => Error | null;
    } = {},
  ) {
    this.cache = new FoldedStateCache(options.maxCachedStreams);
    this.refusal = options.refusal ?? (() => null);
    this.snapshotEvery = options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    this.nextTurn = options.nextTurn ?? nextTurnOfLoop;
  }

  private refuseIfAsked(): void {
    const refused = this.refusal();
    if (refused !== null) throw refused;
  }

  /** The stream's state, folding only the events appended since this write model last saw it. */
  async load<C, S, E>(stream: string, decider: Decider<C, S, E>): Promise<LoadedState<S>> {
    const { state, revision } = (await this.read(stream, decider, false)).loaded;
    return { state, revision };
  }

  /**
   * Load, decide, append with the loaded revision; on a concurrent append, decide again on fresh state.
   * `command` may be a function of the state, so a retry recomputes the facts that depend on it; it returns null
   * when the state leaves nothing to decide (no event).
   */
  async decide<C, S, E extends DecidedEvent>(
    stream: string,
    decider: Decider<C, S, E>,
    command: C | ((state: S) => C | null | Promise<C | null>),
    metadata: EventMetadata,
    options: DecideOptions<C> = {},
  ): Promise<Decision<S, E>> {
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      const { loaded, recorded } =
        attempt === 1 && options.newStream === true && options.commandId === undefined
          ? { loaded: { state: decider.initialState(), revision: 'no_stream' as const, snapshotRevision: -1 }, recorded: [] }
          : await this.read(stream, decider, options.commandId !== undefined);
      const { state, revision } = loaded;
      if (options.commandId !== undefined) {
        const seen = this.outcomeOf<E>(options.commandId, stream, recorded);
        if (seen) return { ...seen, state };
      }
      const decided = typeof command === 'function' ? await (command as (state: S) => C | null | Promise<C | null>)(state) : command;
      if (decided === null) return { events: [], position: null, state };
      const events = decider.decide(decided, state);
      if (events.length === 0) return { events, position: null, state };
      const meta = options.metadataOf ? options.metadataOf(decided) : metadata;
      this.refuseIfAsked();
      try {
        const result = await this.store.append(stream, this.toNewEvents(events, meta, stream, options.commandId), revision);
        const next = events.reduce(decider.evolve, state);
        this.remember(stream, decider, next, result.nextExpectedRevision, loaded.snapshotRevision);
        return { events, position: result.position, state: next };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= attempts) {
          // The concurrent append may be this very command, run twice (a retry racing its first attempt): its outcome, not a conflict.
          if (options.commandId === undefined) throw error;
          const { loaded: fresh, recorded: again } = await this.read(stream, decider, true);
          const seen = this.outcomeOf<E>(options.commandId, stream, again);
          if (seen) return { ...seen, state: fresh.state };
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  /**
   * Decides several commands on one stream as if one after the other (each on the state the ones before it left),
   * and appends all their events at once: one expected-revision check and one commit for the batch. A command
   * refused (it throws) is left out and gets its error; the others go ahead. On a concurrent append the whole batch
   * is decided again on fresh state. Each decision answers with the batch's last position and final state.
   */
  async decideBatch<C, S, E extends DecidedEvent>(
    stream: string,
    decider: Decider<C, S, E>,
    commands: readonly BatchedCommand<C, S>[],
    /** untilCommitted: answer once the batch is committed (its outcomes' `durable` says when it is on disk), where the store can. */
    options: { readonly attempts?: number; readonly untilCommitted?: boolean } = {},
  ): Promise<BatchedOutcome<S, E>[]> {
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      const { loaded } = await this.read(stream, decider, false);
      let state = loaded.state;
      const decided: ({ readonly events: E[] } | { readonly error: unknown })[] = [];
      const appended: NewEvent[] = [];
      for (const { command, metadata } of commands) {
        try {
          const resolved = typeof command === 'function' ? await (command as (state: S) => C | null | Promise<C | null>)(state) : command;
          const events = resolved === null ? [] : decider.decide(resolved, state);
          state = events.reduce(decider.evolve, state);
          appended.push(...this.toNewEvents(events, metadata, stream, undefined));
          decided.push({ events });
        } catch (error) {
          decided.push({ error });
        }
      }
      let position: number | null = null;
      let durable = Promise.resolve();
      if (appended.length > 0) {
        try {
          this.refuseIfAsked();
          const result =
            options.untilCommitted && this.store.appendCommitted
              ? await this.store.appendCommitted(stream, appended, loaded.revision)
              : await this.store.append(stream, appended, loaded.revision);
          if ('durable' in result) durable = (result as CommittedAppend).durable;
          this.remember(stream, decider, state, result.nextExpectedRevision, loaded.snapshotRevision);
          position = result.position;
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError) || attempt >= attempts) return commands.map(() => ({ ok: false, error }));
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
          continue;
        }
      }
      return decided.map((d) =>
        'error' in d ? { ok: false, error: d.error } : { ok: true, durable, decision: { events: d.events, position: d.events.length > 0 ? position : null, state } },
      );
    }
  }

  private async read<C, S, E>(
    stream: string,
    decider: Decider<C, S, E>,
    whole: boolean,
  ): Promise<{ loaded: LoadedState<S> & { snapshotRevision: number }; recorded: RecordedEvent[] }> {
    const cached = whole ? undefined : this.cache.get(stream, decider);
    const start = cached
      ? { state: cached.state as S, revision: cached.revision, snapshotRevision: cached.snapshotRevision ?? -1 }
      : await this.sharedStartOf(stream, decider, whole);
    const recorded: RecordedEvent[] = [];
    // A restore's last slice and the first chunk of events after it are not one turn.
    if (!cached && start.snapshotRevision >= 0) await this.nextTurn();
    let state = start.state;
    let revision = start.revision;
    // Chunked, yielding between chunks: a long stream read for the first time never blocks the event loop for long.
    for (;;) {
      const chunk = await this.store.readStream(stream, { fromRevision: revision + 1, maxCount: FOLD_CHUNK });
      for (const e of chunk) state = decider.evolve(state, { type: e.type, data: e.data } as E);
      if (whole) recorded.push(...chunk);
      const last = chunk.at(-1);
      if (last) revision = last.revision;
      if (chunk.length < FOLD_CHUNK) break;
      await this.nextTurn();
    }
    if (revision < 0) return { loaded: { state, revision: 'no_stream', snapshotRevision: -1 }, recorded };
    if (revision !== start.revision || !cached) this.remember(stream, decider, state, revision, start.snapshotRevision);
    return { loaded: { state, revision, snapshotRevision: start.snapshotRevision }, recorded };
  }

  /** startOf, shared by the loads of one stream that start while its snapshot is being restored (states are immutable). */
  private sharedStartOf<S>(stream: string, decider: Pick<Decider<unknown, S, unknown>, 'initialState' | 'snapshot'>, whole: boolean): Promise<{ state: S; revision: number; snapshotRevision: number }> {
    const codec = decider.snapshot;
    if (!codec || whole || !this.store.snapshots) return this.startOf(stream, decider, whole);
    const key = `${codec.name}\u0000${stream}`;
    const inFlight = this.restoring.get(key);
    if (inFlight) return inFlight as Promise<{ state: S; revision: number; snapshotRevision: number }>;
    const started = this.startOf(stream, decider, whole).finally(() => this.restoring.delete(key));
    this.restoring.set(key, started);
    return started;
  }

  /** Where a fold not cached starts: the stream's snapshot when its decider has a codec and the store keeps one. */
  private async startOf<S>(stream: string, decider: Pick<Decider<unknown, S, unknown>, 'initialState' | 'snapshot'>, whole: boolean): Promise<{ state: S; revision: number; snapshotRevision: number }> {
    const current = decider.snapshot;
    const snapshots = current && !whole ? this.store.snapshots : undefined;
    if (!current || !snapshots) return { state: decider.initialState(), revision: -1, snapshotRevision: -1 };
    // The current codec's snapshot, else the one its predecessor saved (then saved anew: snapshotRevision -1).
    let codec: SnapshotCodec<S> | undefined = current;
    let snapshot = await snapshots.load(stream, codec.name, this.nextTurn);
    while (!snapshot && codec.previous) {
      codec = codec.previous;
      snapshot = await snapshots.load(stream, codec.name, this.nextTurn);
    }
    if (!snapshot) return { state: decider.initialState(), revision: -1, snapshotRevision: -1 };
    // A turn between the snapshot's read and its restore: each is sliced, neither is added to the other's last slice.
    if (codec.restore) await this.nextTurn();
    const state = codec.restore ? await codec.restore(snapshot.state, this.nextTurn) : codec.fromJson(snapshot.state);
    return { state, revision: snapshot.revision, snapshotRevision: codec === current ? snapshot.revision : -1 };
  }

  /**
   * Loads (from their snapshots) the `limit` longest streams the decider's codec snapshotted, so the first command on
   * each after a restart does not pay for it: the streams cached here are the ones a first create would load. Resolves
   * with the streams loaded; nothing when the store keeps no snapshots.
   */
  async warm<C, S, E>(decider: Decider<C, S, E>, limit: number): Promise<string[]> {
    const snapshots = this.store.snapshots;
    let streams: string[] = [];
    for (let codec = decider.snapshot; codec && snapshots?.longest && streams.length === 0; codec = codec.previous) streams = await snapshots.longest(codec.name, limit);
    for (const stream of streams) await this.load(stream, decider);
    return streams;
  }

  /** Caches the fold, and snapshots it when its decider has a codec and enough events were folded since the last one. */
  private remember<S>(stream: string, decider: Pick<Decider<unknown, S, unknown>, 'snapshot'>, state: S, revision: number, snapshotRevision: number): void {
    const codec = decider.snapshot;
    const snapshots = this.store.snapshots;
    // Every snapshotEvery events, or a tenth of the stream when longer (writing one costs the whole state), or the codec's own every.
    const interval = Math.min(codec?.every ?? Number.POSITIVE_INFINITY, Math.max(this.snapshotEvery, Math.floor(revision / 10)));
    // One save per stream at a time: a save still serialising when the next is due lets that one wait for the next event.
    const due = codec !== undefined && snapshots !== undefined && revision - snapshotRevision >= interval && !this.saving.has(stream);
    this.cache.set(stream, { decider, state, revision, snapshotRevision: due ? revision : snapshotRevision });
    if (!due) return;
    // A snapshot is a cache: failing to save one only means a longer fold next time.
    const saved = this.writeSnapshot(stream, codec, state, revision)
      .catch(() => undefined)
      .finally(() => this.saving.delete(stream));
    this.saving.set(stream, saved);
  }

  /** Resolves once the snapshot saves begun so far are written. */
  async snapshotsSaved(): Promise<void> {
    while (this.saving.size > 0) await Promise.all(this.saving.values());
  }

  /**
   * What a stop calls before closing the store: waits for the saves in flight, then snapshots every cached fold that
   * has events since its last snapshot (those with the most first), so the next start restores where this one ended
   * instead of folding those events on its first command. Saves begun before `deadline` (epoch ms) are finished;
   * none is begun after it. Resolves with the streams saved. A save that fails is skipped (a snapshot is a cache).
   */
  async saveSnapshots(deadline = Number.POSITIVE_INFINITY): Promise<string[]> {
    await this.snapshotsSaved();
    const eventsSinceSnapshot = (fold: FoldedState): number => fold.revision - (fold.snapshotRevision ?? -1);
    const behind = this.cache
      .folds()
      .map(([stream, fold]) => ({ stream, fold, codec: (fold.decider as Pick<Decider<unknown, unknown, unknown>, 'snapshot'>).snapshot }))
      .filter(({ fold, codec }) => codec !== undefined && eventsSinceSnapshot(fold) > 0)
      .sort((a, b) => eventsSinceSnapshot(b.fold) - eventsSinceSnapshot(a.fold));
    const saved: string[] = [];
    for (const { stream, fold, codec } of behind) {
      if (!this.store.snapshots || Date.now() >= deadline) break;
      try {
        await this.writeSnapshot(stream, codec as SnapshotCodec<unknown>, fold.state, fold.revision);
        this.cache.set(stream, { ...fold, snapshotRevision: fold.revision });
        saved.push(stream);
      } catch {
        // The next start folds this stream from its older snapshot.
      }
    }
    return saved;
  }

  /** Serialises the state (a slice per turn when the codec can) and saves it as the stream's snapshot at `revision`. */
  private async writeSnapshot<S>(stream: string, codec: SnapshotCodec<S>, state: S, revision: number): Promise<void> {
    const json = codec.toJsonInSlices ? await codec.toJsonInSlices(state, this.nextTurn) : codec.toJson(state);
    await this.store.snapshots?.save(stream, codec.name, { revision, state: json });
  }

  /** The events a command id already appended to this stream, if any. */
  private outcomeOf<E>(commandId: string, stream: string, recorded: readonly RecordedEvent[]): Omit<Decision<unknown, E>, 'state'> | null {
    const start = recorded.findIndex((e) => e.id === commandEventId(commandId, stream, 0));
    if (start < 0) return null;
    const mine: RecordedEvent[] = [];
    for (const event of recorded.slice(start)) {
      if (event.id !== commandEventId(commandId, stream, mine.length)) break;
      mine.push(event);
    }
    return { events: mine.map((e) => ({ type: e.type, data: e.data }) as E), position: mine[mine.length - 1]?.position ?? null };
  }

  private toNewEvents(events: readonly DecidedEvent[], metadata: EventMetadata, stream: string, commandId: string | undefined): NewEvent[] {
    return events.map((event, index) => ({
      id: commandId === undefined ? timeOrderedUuid() : commandEventId(commandId, stream, index),
      type: event.type,
      schemaVersion: schemaVersionOf(event.type),
      data: event.data,
      metadata,
    }));
  }
}
