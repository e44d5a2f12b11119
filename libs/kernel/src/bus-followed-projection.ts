import { PositionWaiters } from './position-waiters';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, errorText, realSleeper, RetryThenPark, type RetryPolicy, type Sleeper } from './retry-then-park';
import type { CheckpointStore } from './checkpoint-store.port';
import type { FollowerLogger } from './checkpointed-follower';
import type { Clock } from './clock';
import type { RecordedEvent } from './event-envelope';
import { pauseThrough, type BusDelivery, type BusSubscription, type EventBus } from './event-bus.port';
import type { EventStore } from './event-store.port';
import { secondsSince, type FollowerLag } from './follower-lag';
import type { ParkedEvent, ParkedEventStore } from './parked-event-store.port';
import type { Projection } from './projection';
import type { ReadModelCollection, ReadModelStore } from './read-model-store.port';
import { StagedRun } from './staged-documents';

export interface BusFollowedProjectionDependencies {
  readonly bus: EventBus;
  /** Holds the read model's documents and the copy of the consumed events a rebuild replays. */
  readonly readModels: ReadModelStore;
  readonly parked: ParkedEventStore;
  readonly logger?: FollowerLogger;
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleeper;
  readonly random?: () => number;
  readonly clock?: Clock;
  /** The source's store when this process can read it (embedded mode): a first start catches up on it. */
  readonly history?: BusHistory;
  /**
   * With `history`: where the consumer records the position of the last event of interest it consumed from each topic,
   * saved with its read-model writes (the read-model store's checkpoints, which the embedded store writes once per
   * commit: a document upsert per delivered batch on the shared table cost ~46 µs a create for the three partner consumers). Without it, a document of
   * the copy collection (`lastConsumedIdOf`), which files of earlier versions hold and which is read while no position
   * is saved here.
   */
  readonly consumedPositions?: CheckpointStore;
}

/** One consumed event, kept so the read model can be rebuilt without its source. */
interface ConsumedEventDocument {
  readonly _id: string;
  readonly topic: string;
  readonly position: number;
  /** The event as JSON text: event data may hold field names a document store refuses. */
  readonly body: string;
}

/**
 * The consumed events of one delivered batch, in order, kept in one document (a row per event was ~7 % of a create's
 * CPU: three groups copy every partner event). `position` is the first event's, `last` the last one's.
 */
interface ConsumedBatchDocument {
  readonly _id: string;
  readonly topic: string;
  readonly position: number;
  readonly last: number;
  /** The events as one JSON array text. */
  readonly bodies: string;
}

type ConsumedDocument = ConsumedEventDocument | ConsumedBatchDocument;

/**
 * Whether the copy holds every event the read model was built from (it did not exist before the copy). `kept: false`:
 * no copy is kept, the source's store being readable (see BusFollowedProjection): what a copy held before is incomplete.
 */
interface CopyMarkerDocument {
  readonly _id: string;
  readonly complete: boolean;
  readonly since: string;
  readonly kept?: false;
}

/** How far a first start's catch-up on the source's store got (resumed after a crash, skipped once done). */
interface HistoryMarkerDocument {
  readonly _id: string;
  readonly after: number | null;
  readonly done: boolean;
}

/** With no copy kept, the position of the last event of interest consumed from a topic (no `topic` field: not a copy). */
interface LastConsumedDocument {
  readonly _id: string;
  readonly position: number;
}

const lastConsumedIdOf = (topic: string): string => `~consumed ${topic}`;
/** The checkpoint name of a consumer's last consumed position from a topic (`consumedPositions`). */
const consumedPositionName = (consumer: string, topic: string): string => `${consumer}~consumed ${topic}`;

type CopyDocument = ConsumedDocument | CopyMarkerDocument | HistoryMarkerDocument | LastConsumedDocument;

/**
 * Where a new consumer group finds the events published before it first subscribed, when this process can read the
 * source's event store (embedded mode: one store for every service; the in-process bus keeps nothing, while Kafka
 * hands a new group its topics from the start). `topicOf` names the topic the source's relay published an event to.
 */
export type BusHistory = { readonly store: EventStore } & (
  | { readonly topicOf: (event: RecordedEvent) => string | null }
  | {
      /**
       * What the bus carried before this start, read once before a catch-up: the topic of an event a relay already
       * published (null for one it has yet to publish, which reaches the group through the bus, effects and all) and
       * the last position any relay published (where the catch-up stops; null: none yet). With `topicOf` instead: every
       * event of the store.
       */
      readonly carried: () => Promise<CarriedHistory>;
    }
);

/** BusHistory.carried's answer. */
export interface CarriedHistory {
  readonly topicOf: (event: RecordedEvent) => string | null;
  readonly through: number | null;
}

/** An event's JSON text, made once however many groups copy it (the in-process bus hands every group the same object). */
const eventTexts = new WeakMap<RecordedEvent, string>();
function eventTextOf(event: RecordedEvent): string {
  let text = eventTexts.get(event);
  if (text === undefined) eventTexts.set(event, (text = JSON.stringify(event)));
  return text;
}

/**
 * A copy's id: the event's position (zero-padded, so ids sort as positions do) before its id. Copies are then written
 * at the end of the id index, one page per batch, where the event's random id alone put each in a page of its own
 * (read, split and written again: a quarter of a copy's cost at 20,000 copies, growing with the copy). The event's id
 * keeps it unique (foreign records, other stores' positions) and a redelivery lands on the same copy. Copies kept under
 * the bare event id before stay valid: a redelivery of one adds a second copy beside it, replayed right after it.
 */
function copyIdOf(event: RecordedEvent): string {
  return `${String(event.position).padStart(16, '0')}.${event.id}`;
}

const COPY_MARKER_ID = '~copy';
const HISTORY_MARKER_ID = '~history';
/** Events per replayed page (copy documents of batches are fetched as many as hold about this many). */
const REPLAY_PAGE = 500;
/** Events per copy document of a batch: a replayed page of batch copies stays within ~REPLAY_PAGE events. */
const COPY_BATCH = 32;
/** Copy documents a former copy's deletion takes at a time (up to ~32 events each), and its pause between two. */
const COPY_DROP_SLICE = 50;
const COPY_DROP_PAUSE_MS = 20;

/** The copied events of a copy document, in order. */
function eventsOfCopy(doc: ConsumedDocument): RecordedEvent[] {
  return 'bodies' in doc ? (JSON.parse(doc.bodies) as RecordedEvent[]) : [JSON.parse(doc.body) as RecordedEvent];
}

/** The position of a copy document's last event. */
const lastOfCopy = (doc: ConsumedDocument): number => ('last' in doc ? doc.last : doc.position);

/**
 * The copy documents of events delivered in their source's order: a document per event alone, else one per
 * COPY_BATCH events keyed by its first event (as that event's own copy would be, so copies still sort by position).
 */
function copiesOf(events: readonly RecordedEvent[], topic: string): ConsumedDocument[] {
  const copies: ConsumedDocument[] = [];
  for (let i = 0; i < events.length; i += COPY_BATCH) {
    const chunk = events.slice(i, i + COPY_BATCH);
    const first = chunk[0] as RecordedEvent;
    copies.push(
      chunk.length === 1
        ? { _id: copyIdOf(first), topic, position: first.position, body: eventTextOf(first) }
        : { _id: copyIdOf(first), topic, position: first.position, last: (chunk[chunk.length - 1] as RecordedEvent).position, bodies: `[${chunk.map(eventTextOf).join(',')}]` },
    );
  }
  return copies;
}

/** A first start's catch-up on the source's store: what it reads and how far it got. */
interface HistoryCatchUp {
  readonly projection: BusFollowedProjection;
  readonly store: EventStore;
  readonly carried: { readonly topicOf: CarriedHistory['topicOf']; readonly through?: number | null };
  marker: HistoryMarkerDocument;
}

/** The read model was filled before this service kept a copy of what it consumed: a rebuild would lose data. */
export class RebuildUnavailableError extends Error {
  constructor(readonly projection: string, reason: string) {
    super(`${projection} cannot be rebuilt: ${reason}`);
    this.name = 'RebuildUnavailableError';
  }
}

/**
 * A read model fed by another service's events on the bus: subscribes as a consumer group (following again with
 * backoff when subscribing fails), retries a failing event then parks it, and keeps a copy of every consumed event
 * it takes, so `rebuild()` replays the copy: the source's store may be another service's, and a Kafka topic may
 * no longer hold old records. When this process reads the source's store itself (`history`, embedded mode: one store
 * for every service), no copy is kept: it would hold each event again per group (three groups copy every partner
 * event: 1.3 GB beside a 0.7 GB store at 240,000 partners, a seventh of a create's CPU), and `rebuild()` replays the
 * source's store instead. Subclasses say which events they take, how one is applied (idempotently; `replaying`
 * tells a rebuild from live delivery, so side effects on other streams are not redone) and how to clear.
 */
export abstract class BusFollowedProjection implements Projection {
  /** The consumer group; also names the parked events and the copy. */
  abstract readonly name: string;
  protected abstract readonly topics: readonly string[];
  private subscription: BusSubscription | null = null;
  private running = false;
  private rebuilding = false;
  private catchingUp = false;
  private handled: number | null = null;
  private subscribeFailures = 0;
  private subscribeError: string | null = null;
  /** The bus's latest delivery to this group, whose pause the retries wait with (none in-process: a plain pause). */
  private delivery: BusDelivery | null = null;
  private readonly waiters = new PositionWaiters();
  private retriesOf: RetryThenPark | null = null;
  private wakeSleepers: () => void = () => undefined;
  private stopped: Promise<void> = Promise.resolve();
  /** Counts starts, so a subscription retry scheduled before a stop() never subscribes in a later run. */
  private generation = 0;
  /** Per topic, the position of the last event copied from an ordered delivery (read at start): ordered redeliveries are not copied again. */
  private readonly copiedThrough = new Map<string, number | null>();
  /** With no copy kept: per topic, the last consumed position recorded (recordLastConsumed), once read or written. */
  private readonly lastConsumed = new Map<string, number>();
  /** readsSourceStore, once asked. */
  private sourceStoreRead: boolean | undefined;
  /** The deletion of a copy kept before (dropCopyKeptBefore), while it runs. */
  private dropping: Promise<void> = Promise.resolve();

  constructor(protected readonly followed: BusFollowedProjectionDependencies) {}

  /** Events of interest: the others are acknowledged, neither applied nor copied. */
  protected abstract accepts(event: RecordedEvent): boolean;
  protected abstract apply(event: RecordedEvent, topic: string): Promise<void>;
  /**
   * Optional: applies the accepted events of one delivered batch (two or more, in order) at once, e.g. each document
   * read once and written once for the batch (StagedDocuments). Tried once: when it rejects, every event of the batch
   * goes to `apply` one by one, with retries and parking, so only an event that keeps failing is parked. Idempotent
   * like `apply` (what it wrote before failing is written again). `applyAlone` hands one event of the batch to the
   * one-by-one path (its retries, parking and log context), e.g. one with effects beyond this read model.
   */
  protected applyBatch?(events: readonly RecordedEvent[], topic: string): Promise<void>;
  protected abstract clear(): Promise<void>;
  /** True while the read model holds no document (the copy is then complete from its first event). */
  protected abstract isEmpty(): Promise<boolean>;

  /** The source's store when this process can read it: a first start consumes its past events before subscribing. */
  protected history(): BusHistory | null {
    return this.followed.history ?? null;
  }

  /**
   * True while a rebuild replays the copy, or a first start catches up on the source's store: effects beyond this read
   * model already happened live (those of events past the relays' checkpoints happen when the bus delivers them again).
   */
  protected get replaying(): boolean {
    return this.rebuilding || this.catchingUp;
  }

  /** Subclasses add to their start with `beforeStart`, not here: a start beside others (startTogether) does not call this. */
  async start(): Promise<void> {
    await BusFollowedProjection.startTogether([this]);
  }

  /** Optional: what a subclass does as it starts, before its catch-up and its subscription (e.g. fill an in-memory index from its documents). */
  protected async beforeStart(): Promise<void> {
    // nothing by default
  }

  /**
   * Starts bus-fed projections (those not running yet): their first-start catch-ups on one source store read it once
   * between them, each page read and parsed once and each event's text made once for every group (ten groups each
   * reading the whole store were a quarter of such a start's CPU); then each subscribes.
   */
  static async startTogether(projections: readonly BusFollowedProjection[]): Promise<void> {
    const starting = projections.filter((projection) => !projection.running);
    const catchUps = new Map<EventStore, HistoryCatchUp[]>();
    for (const projection of starting) {
      await projection.beforeStart();
      const catchUp = await projection.begin();
      if (!catchUp) continue;
      const sharing = catchUps.get(catchUp.store);
      if (sharing) sharing.push(catchUp);
      else catchUps.set(catchUp.store, [catchUp]);
    }
    for (const [store, sharing] of catchUps) await BusFollowedProjection.catchUpTogether(store, sharing);
    for (const projection of starting) await projection.subscribe();
    for (const projection of starting) if (projection.readsSourceStore) projection.dropping = projection.dropCopyKeptBefore();
  }

  /**
   * Reads the store once for every catch-up sharing it, from the earliest marker, each page handed to each catch-up not
   * done yet (each skips what it consumed before a stop); ends when every one is done or stopped. Their writes go in
   * one bulk load of their read-model store when they share one that has it (nothing reads the bus-fed models yet:
   * they subscribe after, and the server listens later still).
   */
  private static async catchUpTogether(store: EventStore, catchUps: readonly HistoryCatchUp[]): Promise<void> {
    const readModels = catchUps[0]?.projection.followed.readModels;
    const shared = readModels?.bulkLoad && catchUps.every((catchUp) => catchUp.projection.followed.readModels === readModels);
    const read = () => BusFollowedProjection.readTogether(store, catchUps);
    await (shared ? (readModels.bulkLoad as NonNullable<ReadModelStore['bulkLoad']>).call(readModels, read) : read());
  }

  private static async readTogether(store: EventStore, catchUps: readonly HistoryCatchUp[]): Promise<void> {
    const reading = catchUps.filter((catchUp) => !catchUp.marker.done);
    for (const { projection } of reading) projection.catchingUp = true;
    try {
      // Nothing carried (a store whose events the relays have yet to publish): the bus brings them all, no page read.
      for (const catchUp of reading) if (catchUp.carried.through === null) await catchUp.projection.catchUpPage([], catchUp);
      const pending = reading.filter((catchUp) => catchUp.carried.through !== null);
      const markers = pending.map((catchUp) => catchUp.marker.after);
      const after = markers.includes(null) ? null : Math.min(...(markers as number[]));
      await BusFollowedProjection.readPagesTogether(store, after, pending, async (catchUp, page) => {
        await catchUp.projection.catchUpPage(page, catchUp);
        return !catchUp.marker.done && catchUp.projection.running;
      });
    } finally {
      for (const { projection } of catchUps) projection.catchingUp = false;
    }
  }

  /**
   * Reads `store` in pages of REPLAY_PAGE events past `after`, each page handed to every reader still reading (`take`
   * answers whether it wants the next page), until none does or the store has no more: one walk for every reader.
   */
  private static async readPagesTogether<R>(store: EventStore, after: number | null, readers: readonly R[], take: (reader: R, page: readonly RecordedEvent[]) => Promise<boolean>): Promise<void> {
    let reading = readers;
    let from = after;
    while (reading.length > 0) {
      const page = await store.readAll({ after: from, maxCount: REPLAY_PAGE });
      const still: R[] = [];
      for (const reader of reading) if (await take(reader, page)) still.push(reader);
      const last = page.at(-1);
      if (page.length < REPLAY_PAGE || last === undefined) return;
      reading = still;
      from = last.position;
    }
  }

  /** Marks this projection running; on a first start with a readable source store, what its catch-up is to read. */
  private async begin(): Promise<HistoryCatchUp | null> {
    this.running = true;
    this.generation += 1;
    this.subscribeFailures = 0;
    this.stopped = new Promise<void>((resolve) => (this.wakeSleepers = resolve));
    const firstStart = await this.markCopy();
    for (const topic of this.topics) {
      const position = await this.lastCopiedPosition(topic);
      if (!this.readsSourceStore) this.copiedThrough.set(topic, position);
      else if (position !== null) this.lastConsumed.set(topic, position);
    }
    return this.historyCatchUp(firstStart);
  }

  /** Between `start` and `stop`: work the consumer began itself (a refill, a retry) ends when this turns false. */
  protected get isRunning(): boolean {
    return this.running;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeSleepers();
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.stop();
    await this.dropping;
  }

  /**
   * Clears the read model and replays the copy of consumed events, each topic in its source's order (bus-fed
   * models accept any interleaving of streams). Parked entries stay for an operator: a replay may skip side effects.
   */
  async rebuild(): Promise<void> {
    if (this.readsSourceStore) {
      await BusFollowedProjection.rebuildTogether([this]);
      return;
    }
    await this.checkCopyComplete();
    const wasRunning = this.running;
    await this.stop();
    await this.clear();
    this.rebuilding = true;
    try {
      for (const topic of this.topics) await this.replayCopy(topic);
    } finally {
      this.rebuilding = false;
    }
    if (wasRunning) await this.start();
  }

  /**
   * True when this process reads the source's store (`history`): no copy of consumed events is kept, a rebuild replays
   * that store. Otherwise (Kafka from another service's store) every consumed event is copied. Asked once.
   */
  get readsSourceStore(): boolean {
    this.sourceStoreRead ??= this.history() !== null;
    return this.sourceStoreRead;
  }

  /**
   * Rebuilds projections that read their source's store (`readsSourceStore`; the others: `rebuild()` each) reading each
   * store once between them (one scan per consumer made a sparse one's rebuild 2 → 270–480 ms at 41,000 events): each
   * page handed to each one still reading, its events of the consumer's topics up to what the relays carried, in runs
   * of one topic in store order; the bus brings the rest once the relays publish them. Each is cleared first, and
   * started again after if it ran.
   */
  static async rebuildTogether(projections: readonly BusFollowedProjection[]): Promise<void> {
    const byStore = new Map<EventStore, { readonly projection: BusFollowedProjection; readonly history: BusHistory }[]>();
    for (const projection of projections) {
      const history = projection.history();
      if (!history) {
        await projection.rebuild();
        continue;
      }
      const sharing = byStore.get(history.store);
      if (sharing) sharing.push({ projection, history });
      else byStore.set(history.store, [{ projection, history }]);
    }
    for (const [store, sharing] of byStore) {
      const running = sharing.filter(({ projection }) => projection.running);
      for (const { projection } of sharing) {
        await projection.stop();
        await projection.clear();
        projection.rebuilding = true;
      }
      try {
        await BusFollowedProjection.replayTogether(store, sharing);
      } finally {
        for (const { projection } of sharing) projection.rebuilding = false;
      }
      for (const { projection } of running) await projection.start();
    }
  }

  private static async replayTogether(store: EventStore, sharing: readonly { readonly projection: BusFollowedProjection; readonly history: BusHistory }[]): Promise<void> {
    const reading: { readonly projection: BusFollowedProjection; readonly carried: HistoryCatchUp['carried'] }[] = [];
    for (const { projection, history } of sharing) {
      const carried: HistoryCatchUp['carried'] = 'carried' in history ? await history.carried() : { topicOf: history.topicOf };
      // nothing carried yet: the bus brings every event
      if (carried.through !== null) reading.push({ projection, carried });
    }
    await BusFollowedProjection.readPagesTogether(store, null, reading, async ({ projection, carried }, page) => {
      await projection.consumeInRuns(page, carried, null);
      const last = page.at(-1)?.position;
      return carried.through === undefined || carried.through === null || (last !== undefined && last < carried.through);
    });
  }

  /** Refuses a rebuild from a copy that lacks events the read model was built from. */
  private async checkCopyComplete(): Promise<void> {
    const marker = (await this.copy().get(COPY_MARKER_ID)) as CopyMarkerDocument | null;
    if (marker?.kept === false) {
      throw new RebuildUnavailableError(this.name, `its copy of consumed events was not kept since ${marker.since} (the source's store was read instead), and the read model holds data from then`);
    }
    if (marker ? !marker.complete : !(await this.isEmpty())) {
      const since = marker ? `starts at ${marker.since}` : 'was never kept';
      throw new RebuildUnavailableError(this.name, `its copy of consumed events ${since}, and the read model holds older data`);
    }
  }

  /**
   * The position of the last event of interest consumed from `topic` (copied, or, with no copy kept, recorded in the
   * topic's own document, `lastConsumedIdOf`), null if none: where a restarted consumer had got to.
   */
  protected async lastCopiedPosition(topic: string): Promise<number | null> {
    if (this.readsSourceStore) {
      const saved = (await this.followed.consumedPositions?.load(consumedPositionName(this.name, topic))) ?? null;
      return saved ?? ((await this.copy().get(lastConsumedIdOf(topic))) as LastConsumedDocument | null)?.position ?? null;
    }
    // no total: counting would make the store keep a count of the copy, kept up (each copy parsed again) on every write
    const { items } = await this.copy().find({ filter: { topic }, sort: { position: -1 }, limit: 1, withoutTotal: true });
    return items.length > 0 ? lastOfCopy(items[0] as ConsumedDocument) : null;
  }

  /** Resolves once an event at or past `position` of its source was handled (meaningful with one source store). */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    return this.waiters.waitFor(position, this.handled, timeoutMs, this.name);
  }

  async lag(): Promise<FollowerLag> {
    return {
      name: this.name,
      running: this.running && this.subscription !== null,
      position: this.handled,
      headPosition: null,
      caughtUp: null,
      secondsBehind: null,
      eventsBehind: null,
      lastError: this.subscribeError ?? this.retries().lastError,
      parked: await this.followed.parked.count(this.name),
      // Only a handler holding an event counts: a broker that cannot be reached is reported as degraded, not stalled.
      stalledSeconds: secondsSince(this.retries().heldSince, this.followed.clock?.now() ?? new Date()),
    };
  }

  /** Applies a parked event once more, as live delivery would; it leaves the parked store only if that succeeds. */
  async replayParked(entry: ParkedEvent): Promise<void> {
    if (entry.consumer !== this.name) throw new Error(`${entry.id} was parked by ${entry.consumer}, not ${this.name}`);
    await this.apply(entry.event, entry.topic ?? this.topics[0]);
    await this.followed.parked.remove(entry.id);
  }

  private async subscribe(): Promise<void> {
    const generation = this.generation;
    try {
      const subscription = await this.followed.bus.subscribe({
        groupId: this.name,
        topics: this.topics,
        handler: (event, topic, delivery) => this.consume([event], topic, false, delivery),
        batchHandler: (events, topic) => this.consume(events, topic, true),
      });
      if (!this.running || generation !== this.generation) {
        // stop() came while subscribing: this subscription belongs to no run.
        await subscription.stop();
        return;
      }
      this.subscription = subscription;
      this.subscribeFailures = 0;
      this.subscribeError = null;
    } catch (error) {
      if (!this.running) return;
      this.subscribeFailures += 1;
      this.subscribeError = errorText(error);
      const policy = this.followed.retry ?? DEFAULT_RETRY_POLICY;
      const delay = backoffDelayMs(policy, this.subscribeFailures, this.followed.random);
      this.followed.logger?.error(`consumer ${this.name} could not subscribe, tries again in ${delay} ms`, { error: this.subscribeError });
      // In the background: a broker that is down must not hold the application's start.
      void this.pause(delay).then(() => (this.running && generation === this.generation ? this.subscribe() : undefined));
    }
  }

  /** One event through the one-by-one path (retries, then parking) from inside `applyBatch`. */
  protected async applyAlone(event: RecordedEvent, topic: string): Promise<void> {
    await this.retries().handle(event, (e) => this.apply(e, topic), topic);
  }

  /**
   * For `applyBatch`: the events applied to documents staged in runs (`stage` gives a run's views, each document read
   * once and written once at the run's end); an event `goesAlone` names goes through `applyAlone` between two runs,
   * after what the run before it staged is written (its effects go past the staged views).
   */
  protected async applyInStagedRuns<D>(
    events: readonly RecordedEvent[],
    topic: string,
    stage: (run: StagedRun) => D,
    applyTo: (event: RecordedEvent, docs: D) => Promise<void>,
    goesAlone: (event: RecordedEvent) => boolean,
  ): Promise<void> {
    let run = new StagedRun();
    let docs = stage(run);
    for (const event of events) {
      if (!goesAlone(event)) {
        await applyTo(event, docs);
        continue;
      }
      await run.flush();
      await this.applyAlone(event, topic);
      run = new StagedRun();
      docs = stage(run);
    }
    await run.flush();
  }

  /**
   * Copies the events of interest in one write, then applies them: at once through `applyBatch` when there is one and
   * it succeeds, else one by one, in order, with retries; rejects only if parking failed (or on stop), so the bus
   * delivers them again. Waiters are released once, after the last. `ordered`: delivered in the source's position
   * order (a batch handler's, the source store's): the events are copied together, those copied before left out, so
   * no copy overlaps another and the copy replays in position order; otherwise a copy per event, keyed by the event.
   */
  private async consume(events: readonly RecordedEvent[], topic: string, ordered: boolean, delivery?: BusDelivery): Promise<void> {
    // The retries' waits keep the bus's session alive (one subscription, one session: the latest delivery's will do).
    if (delivery) this.delivery = delivery;
    const accepted = events.filter((event) => this.accepts(event));
    if (this.readsSourceStore) {
      // the source's store holds them (history): only how far this group got
      await this.recordLastConsumed(accepted, topic);
    } else if (ordered) await this.copyInOrder(accepted, topic);
    else if (accepted.length > 0) await this.copy().putMany(accepted.map((event) => ({ _id: copyIdOf(event), topic, position: event.position, body: eventTextOf(event) })));
    try {
      if (await this.appliedTogether(accepted, topic)) {
        const last = events[events.length - 1].position;
        this.handled = Math.max(this.handled ?? last, last);
        return;
      }
      let next = 0;
      for (const event of events) {
        if (accepted[next] === event) {
          next += 1;
          await this.retries().handle(event, (e) => this.apply(e, topic), topic);
        }
        this.handled = Math.max(this.handled ?? event.position, event.position);
      }
    } finally {
      if (this.handled !== null) this.waiters.release(this.handled);
    }
  }

  /** With no copy kept: the position of the last accepted event of `topic`, one small document per topic (never moved back). */
  private async recordLastConsumed(accepted: readonly RecordedEvent[], topic: string): Promise<void> {
    const last = accepted.at(-1)?.position;
    if (last === undefined) return;
    const known = this.lastConsumed.get(topic);
    if (known !== undefined && known >= last) return;
    const positions = this.followed.consumedPositions;
    if (positions) await positions.save(consumedPositionName(this.name, topic), last);
    else await this.copy().put({ _id: lastConsumedIdOf(topic), position: last });
    this.lastConsumed.set(topic, last);
  }

  private async copyInOrder(accepted: readonly RecordedEvent[], topic: string): Promise<void> {
    const upTo = this.copiedThrough.get(topic) ?? null;
    const fresh = upTo === null ? accepted : accepted.filter((event) => event.position > upTo);
    if (fresh.length === 0) return;
    await this.copy().putMany(copiesOf(fresh, topic));
    this.copiedThrough.set(topic, Math.max(upTo ?? Number.NEGATIVE_INFINITY, (fresh[fresh.length - 1] as RecordedEvent).position));
  }

  /** True once `applyBatch` applied the events; false to apply them one by one (it failed, or there is none, or one event). */
  private async appliedTogether(events: readonly RecordedEvent[], topic: string): Promise<boolean> {
    const applyBatch = this.applyBatch;
    if (!applyBatch || events.length < 2) return false;
    try {
      await this.retries().together(events, () => applyBatch.call(this, events, topic));
      return true;
    } catch (error) {
      // Stopping: neither retried nor parked, delivered again later (as one event would be).
      if (!this.running && !this.rebuilding) throw error;
      this.followed.logger?.warn(`consumer ${this.name} could not apply ${events.length} events at once, applies them one by one`, { error: errorText(error) });
      return false;
    }
  }

  private async replayCopy(topic: string): Promise<void> {
    let after: number | null = null;
    // at first as many documents as hold REPLAY_PAGE events if each holds a batch, then as many as held that many
    let limit = Math.ceil(REPLAY_PAGE / COPY_BATCH);
    for (;;) {
      const filter = after === null ? { topic } : { topic, position: { $gt: after } };
      const { items } = await this.copy().find({ filter, sort: { position: 1, _id: 1 }, limit, withoutTotal: true });
      const events = (items as ConsumedDocument[]).flatMap(eventsOfCopy);
      if (!(await this.appliedTogether(events, topic))) {
        for (const event of events) await this.retries().handle(event, (e) => this.apply(e, topic), topic);
      }
      if (items.length < limit) return;
      after = (items[items.length - 1] as ConsumedDocument).position;
      limit = Math.max(1, Math.min(REPLAY_PAGE, Math.round((REPLAY_PAGE * items.length) / Math.max(1, events.length))));
    }
  }

  /**
   * On first start, says whether the copy is complete: only if the read model was still empty. True on that first start.
   * With a readable source store, the catch-up's marker is written first: a start that stops (or crashes) after this
   * resumes the catch-up next time instead of taking the copy's marker for a start that had caught up.
   */
  private async markCopy(): Promise<boolean> {
    const marker = (await this.copy().get(COPY_MARKER_ID)) as CopyMarkerDocument | null;
    const since = (this.followed.clock?.now() ?? new Date()).toISOString();
    if (marker) {
      // a copy kept by an earlier start misses what this one consumes: a rebuild without the source's store must refuse it
      if (this.readsSourceStore && marker.kept !== false) await this.copy().put({ _id: COPY_MARKER_ID, complete: false, since, kept: false });
      return false;
    }
    const complete = await this.isEmpty();
    if (this.readsSourceStore && !(await this.copy().get(HISTORY_MARKER_ID))) await this.copy().put({ _id: HISTORY_MARKER_ID, after: null, done: false });
    await this.copy().put(this.readsSourceStore ? { _id: COPY_MARKER_ID, complete: false, since, kept: false } : { _id: COPY_MARKER_ID, complete, since });
    return true;
  }

  /**
   * Deletes what a copy of consumed events kept before this process read the source's store instead (files written by
   * earlier versions), COPY_DROP_SLICE documents at a time with a pause between, after the start and until stopped.
   */
  private async dropCopyKeptBefore(): Promise<void> {
    const generation = this.generation;
    const kept = () => this.running && generation === this.generation;
    try {
      while (kept()) {
        const { items } = await this.copy().find({ filter: { topic: { $in: [...this.topics] } }, limit: COPY_DROP_SLICE, withoutTotal: true });
        if (items.length === 0 || !kept()) return;
        await this.copy().deleteMany({ _id: { $in: items.map((item) => item._id) } });
        await this.pause(COPY_DROP_PAUSE_MS);
      }
    } catch (error) {
      if (kept()) this.followed.logger?.warn(`consumer ${this.name} could not delete its former copy of consumed events, tries at its next start`, { error: errorText(error) });
    }
  }

  /**
   * On a first start with a readable source store (or one that stopped before its catch-up was done), what the catch-up
   * reads: its past events of this group's topics are consumed (copied and applied) before subscribing; the bus may
   * then deliver some of them again, which idempotent appliers allow.
   */
  private async historyCatchUp(firstStart: boolean): Promise<HistoryCatchUp | null> {
    const history = this.history();
    if (!history) return null;
    const marker = (await this.copy().get(HISTORY_MARKER_ID)) as HistoryMarkerDocument | null;
    if (!marker && !firstStart) return null;
    if (marker?.done) return null;
    const carried = 'carried' in history ? await history.carried() : { topicOf: history.topicOf };
    return { projection: this, store: history.store, carried, marker: marker ?? { _id: HISTORY_MARKER_ID, after: null, done: false } };
  }

  /**
   * Consumes a page of the source's store read for the catch-up (its events past the marker, up to what the relays
   * carried), in runs of one topic in store order, a batch per run as the bus hands them over; then saves the marker.
   */
  private async catchUpPage(page: readonly RecordedEvent[], catchUp: HistoryCatchUp): Promise<void> {
    const { carried } = catchUp;
    const { through } = carried;
    const from = catchUp.marker.after;
    // Nothing was carried (a store whose events the relays have yet to publish): the bus brings them all.
    const events = through === null ? [] : page;
    await this.consumeInRuns(events, carried, from);
    const read = events.at(-1)?.position ?? null;
    const last = read === null ? from : from === null ? read : Math.max(from, read);
    const done = events.length < REPLAY_PAGE || (through !== undefined && through !== null && last !== null && last >= through);
    catchUp.marker = { _id: HISTORY_MARKER_ID, after: last, done };
    await this.copy().put(catchUp.marker);
  }

  /** Consumes the events of `page` past `from` and up to what was carried, of this group's topics, in runs of one topic. */
  private async consumeInRuns(page: readonly RecordedEvent[], carried: HistoryCatchUp['carried'], from: number | null): Promise<void> {
    const { through } = carried;
    let run: RecordedEvent[] = [];
    let runTopic: string | null = null;
    for (const event of page) {
      if (from !== null && event.position <= from) continue;
      if (through !== undefined && through !== null && event.position > through) break;
      const topic = carried.topicOf(event);
      if (topic === null || !this.topics.includes(topic)) continue;
      if (topic !== runTopic && run.length > 0) {
        await this.consume(run, runTopic as string, true);
        run = [];
      }
      runTopic = topic;
      run.push(event);
    }
    if (run.length > 0) await this.consume(run, runTopic as string, true);
  }

  private copy(): ReadModelCollection<CopyDocument> {
    return this.followed.readModels.collection<CopyDocument>(`consumed_events.${this.name}`, [['topic', 'position']]);
  }

  private retries(): RetryThenPark {
    this.retriesOf ??= new RetryThenPark({
      consumer: this.name,
      parked: this.followed.parked,
      policy: this.followed.retry,
      sleep: (ms) => this.retryPause(ms),
      random: this.followed.random,
      clock: this.followed.clock,
      logger: this.followed.logger,
      stopping: () => !this.running && !this.rebuilding,
    });
    return this.retriesOf;
  }

  /** A pause that stop() cuts short. */
  private pause(ms: number): Promise<void> {
    return Promise.race([(this.followed.sleep ?? realSleeper)(ms), this.stopped]);
  }

  /**
   * A retry's wait: through the bus's delivery when it gave one (Kafka: heartbeats meanwhile; a plain wait past the
   * session timeout lost the partitions, the event came again from its first attempt, and never got parked), else a
   * plain pause; stop() cuts it short either way.
   */
  private retryPause(ms: number): Promise<void> {
    return Promise.race([pauseThrough(this.delivery, ms, this.followed.sleep ?? realSleeper), this.stopped]);
  }
}
