import {
  BusFollowedProjection,
  StagedRun,
  topicOf,
  type BusFollowedProjectionDependencies,
  type DocumentAccess,
  type ReadModelCollection,
  type RecordedEvent,
  holdsNoDocument,
  nextTurnOfLoop,
  pagesOf,
} from '@as2-partners/kernel';
import { Logger } from '@nestjs/common';
import { type AfterStart, type RequestsInFlight } from '@as2-partners/platform';
import type { TrafficControlConfig } from '../../config/traffic-control.config';
import { LiveTrafficDirectory } from '../../directory/live-traffic-directory';
import {
  knownOverrideIdOf,
  knownPartnerCreated,
  knownPartnersByAs2IdQuery,
  KnownRegistryCollections,
  KnownRegistryIndexes,
  knownTenantIdOf,
  type KnownInstanceDocument,
  type KnownPartnerDocument,
  type KnownPartnerOverrideDocument,
  type KnownPartnershipDocument,
  type KnownStationDocument,
  type KnownTenantDocument,
} from './known-registry.documents';
import {
  instanceOwnerOf,
  PARTNER_REGISTRY_TOPIC_SERVICE,
  PartnerRegistryEventTypes,
  readPartnerEvent,
  type As2InstancePayload,
  type PartnerOverridePayload,
  type PartnershipPayload,
  type StationPayload,
  type TenantPayload,
} from '@as2-partners/partner-registry-contract';

export const REGISTRY_FACTS_GROUP = 'traffic-control.registry-facts';

const OVERRIDE_TYPES = new Set<string>(PartnerRegistryEventTypes.partnerOverride);

const KNOWN_TYPES = new Set<string>([
  ...PartnerRegistryEventTypes.partner,
  ...PartnerRegistryEventTypes.as2Instance,
  ...PartnerRegistryEventTypes.station,
  ...PartnerRegistryEventTypes.tenant,
  // A tenant's `active` for a master partner it inherits.
  ...PartnerRegistryEventTypes.partnerOverride,
  // Updates change no pair: only which pairs exist counts here.
  'partnership.created.v1',
  'partnership.deleted.v1',
]);

/**
 * Documents per page of the refill, one page per turn of the event loop: a request's every turn after ready waits
 * behind a page (1,000 a page: the first create after a restart at 200,000 partners took 690–920 ms; 250: 300–340 ms
 * against ~60 ms for the next ones; 50: no better, and decisions waited a second longer for the refill). Between two
 * pages the refill gives way to the requests being answered (RequestsInFlight), until a reader waits for it.
 */
/** Documents a page of the refill reads (`pagesOf`). */
export const LOAD_PAGE = 250;
/**
 * While a reader waits for the refill (a decision, a pause), the longest run of pages read back to back before the loop
 * takes a turn. One page a turn made the refill as slow as the loop's turns: under 16 connections of creates at 200,000
 * partners, a decision sent after ready waited 7.4 s (25 s for the refill alone, not awaited).
 */
export const AWAITED_SLICE_MS = 25;
/**
 * The most partners a decision brings in ahead of the refill's pages (those with its pair's AS2 ids, in every tenant of
 * the account); more (an AS2 id used by that many tenants), and it waits for the whole refill.
 */
const PARTNERS_BROUGHT_IN = 1_000;
/** Reads of a pair's partners overtaken by events about them before a decision gives up and waits for the refill. */
const LOOK_UPS_AGAIN = 5;
/** How long a failed refill waits before it tries again (decisions wait meanwhile). */
const REFILL_RETRY_MS = 1_000;

/** What the appliers read and write: the collections, or a delivered batch's staged views of them. */
interface RegistryDocuments {
  readonly partners: DocumentAccess<KnownPartnerDocument>;
  readonly instances: DocumentAccess<KnownInstanceDocument>;
  readonly stations: DocumentAccess<KnownStationDocument>;
  readonly tenants: DocumentAccess<KnownTenantDocument>;
  readonly partnerships: DocumentAccess<KnownPartnershipDocument>;
  readonly overrides: DocumentAccess<KnownPartnerOverrideDocument>;
}

/**
 * Learns partners, AS2 instances, stations and tenants from the partner-registry's topic into the in-memory
 * directory the decision API answers from, and into documents that refill it at start (a restart answers from
 * those, before the bus delivers anything). Memory first, then the document: a store outage never stops the
 * directory from following, and redelivery is harmless (every write is computed from the event).
 */
export class RegistryFactsConsumer extends BusFollowedProjection {
  readonly name: string;
  protected readonly topics = [topicOf(PARTNER_REGISTRY_TOPIC_SERVICE)];
  readonly partners: ReadModelCollection<KnownPartnerDocument>;
  readonly instances: ReadModelCollection<KnownInstanceDocument>;
  readonly stations: ReadModelCollection<KnownStationDocument>;
  readonly tenants: ReadModelCollection<KnownTenantDocument>;
  readonly partnerships: ReadModelCollection<KnownPartnershipDocument>;
  readonly overrides: ReadModelCollection<KnownPartnerOverrideDocument>;
  private readonly documents: RegistryDocuments;
  /**
   * The turn between two pages: the requests being answered go first (a create right after ready waits behind one page,
   * not the whole refill), except while a reader waits for it (`LiveTrafficDirectory.awaited`: one of the whole
   * directory, or a decision until the facts before the partners are in); then nothing goes before the refill, and
   * pages follow one another for up to AWAITED_SLICE_MS before the loop takes a turn.
   */
  private readonly refillTurn = (): Promise<void> => {
    if (!this.live.awaited) return this.requests ? Promise.race([this.requests.giveWay(), this.live.whenAwaited()]) : nextTurnOfLoop();
    if (performance.now() - this.awaitedSliceFrom < AWAITED_SLICE_MS) return Promise.resolve();
    return nextTurnOfLoop().then(() => void (this.awaitedSliceFrom = performance.now()));
  };
  /** When the current run of pages read back to back for a waiting reader began (performance.now()). */
  private awaitedSliceFrom = 0;
  /** Ids whose documents events changed while a refill ran, put again at its end. */
  private readonly touchedDuringRefill = new TouchedDuringRefill();

  constructor(
    followed: BusFollowedProjectionDependencies,
    private readonly live: LiveTrafficDirectory,
    config: TrafficControlConfig,
    private readonly afterStart?: AfterStart,
    private readonly requests?: RequestsInFlight,
  ) {
    super(followed);
    const { readModels } = followed;
    this.name = `${REGISTRY_FACTS_GROUP}${config.replicaGroupSuffix}`;
    this.partners = readModels.collection(KnownRegistryCollections.partners, KnownRegistryIndexes.partners);
    this.instances = readModels.collection(KnownRegistryCollections.instances, KnownRegistryIndexes.instances);
    this.stations = readModels.collection(KnownRegistryCollections.stations, KnownRegistryIndexes.stations);
    this.tenants = readModels.collection(KnownRegistryCollections.tenants, KnownRegistryIndexes.tenants);
    this.partnerships = readModels.collection(KnownRegistryCollections.partnerships, KnownRegistryIndexes.partnerships);
    this.overrides = readModels.collection(KnownRegistryCollections.overrides, KnownRegistryIndexes.overrides);
    this.documents = { partners: this.partners, instances: this.instances, stations: this.stations, tenants: this.tenants, partnerships: this.partnerships, overrides: this.overrides };
  }

  /**
   * The directory is refilled before anything is applied to it. In a process that starts (AfterStart), after it is
   * ready: 100,000 partners take ~0.7 s of CPU, which readiness need not wait for, since every reader of the directory
   * waits for the refill (LiveTrafficDirectory.whenFilled), but a decision and a partner asked by id: the partners come
   * last, and once every other fact is in, a decision brings in its pair's partners ahead of their pages (`partnersOf`);
   * a partner asked by id is read from its document (`partnerById`). Events delivered
   * meanwhile are applied from the documents (`apply`). The subscription is taken now, so the in-process bus delivers
   * everything published from here on.
   */
  protected override async beforeStart(): Promise<void> {
    if (this.afterStart) {
      let done: () => void = () => undefined;
      let othersIn: () => void = () => undefined;
      this.live.filling(new Promise<void>((resolve) => (done = resolve)), {
        othersIn: new Promise<void>((resolve) => (othersIn = resolve)),
        partnersOf: (account, as2Ids, then) => this.partnersOf(account, as2Ids, then),
        partnerById: (partnerId) => this.partnerById(partnerId),
      });
      // A reader waiting for the directory begins the refill at once (no quiet wait after ready, no way given while it waits).
      this.afterStart.register('refilling the traffic directory', () => this.refill(othersIn).then(done), { first: true, wanted: this.live.whenAwaited() });
    } else {
      await this.load();
    }
  }

  /** The load, tried again until it succeeds or the consumer stops (a store error is retried; decisions wait, never answer from less). */
  private async refill(othersIn: () => void): Promise<void> {
    while (this.isRunning) {
      const started = Date.now();
      const cpu = process.cpuUsage();
      try {
        await this.load(othersIn);
        const used = process.cpuUsage(cpu);
        new Logger('TrafficRegistryFacts').log(`Refilled the traffic directory in ${Date.now() - started} ms (the process's CPU meanwhile: ${Math.round((used.user + used.system) / 1000)} ms)`);
        return;
      } catch (error) {
        // A store closed by the shutdown is no failure to retry.
        if (!this.isRunning) return;
        this.followed.logger?.warn(`Refilling the traffic directory failed, retrying: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, REFILL_RETRY_MS));
      }
    }
  }

  /**
   * Refills the directory from the persisted documents (a restart answers before the bus has delivered anything): every
   * fact but the partners first (`othersIn` is told then), the partners last, the largest part by far.
   */
  async load(othersIn?: () => void): Promise<void> {
    const turn = this.refillTurn;
    const { directory } = this.live;
    for await (const page of pagesOf(this.instances, LOAD_PAGE, turn)) for (const doc of page) if (!doc.deleted) directory.putInstance(doc);
    for await (const page of pagesOf(this.tenants, LOAD_PAGE, turn)) for (const doc of page) if (doc.deleted) directory.markTenantDeleted(doc.account, doc.tenant);
    for await (const page of pagesOf(this.overrides, LOAD_PAGE, turn)) for (const doc of page) directory.putActiveOverride(doc.partnerId, doc.tenant, doc.active);
    for await (const page of pagesOf(this.partnerships, LOAD_PAGE, turn)) for (const doc of page) if (!doc.deleted) directory.putPartnership(doc);
    // `as_of` tells from the first answer how far the refilled directory reaches, not null until the next event.
    const copied = () => this.lastCopiedPosition(this.topics[0] as string);
    let position = await copied();
    if (position !== null) this.live.applied('partner-registry', position);
    othersIn?.();
    for await (const page of pagesOf(this.partners, LOAD_PAGE, turn)) for (const doc of page) directory.putPartner(doc);
    await this.putAgainWhatEventsTouched();
    position = await copied();
    if (position !== null) this.live.applied('partner-registry', position);
  }

  /**
   * The partners with these AS2 ids, put in the directory from their current documents (in `_id` order, as the pages
   * put them), and `then` run in the same turn: what a decision needs of the partners while their pages are still being
   * read (every other fact is in by then). Undefined (wait for the refill) for more than PARTNERS_BROUGHT_IN partners of
   * an id, or when every read was overtaken (`readBesideEvents`).
   */
  private async partnersOf<T>(account: string, as2Ids: readonly string[], then: () => T): Promise<T | undefined> {
    const read = await this.readBesideEvents(
      // a batch's AS2 ids at once (one round trip's wait on MongoDB, not one per id)
      async () => {
        const found = await Promise.all(as2Ids.map(async (as2Id) => (await this.partners.find(knownPartnersByAs2IdQuery(account, as2Id, PARTNERS_BROUGHT_IN + 1))).items));
        return found.some((items) => items.length > PARTNERS_BROUGHT_IN) ? null : found;
      },
      (found) => (found === null ? [] : [...as2Ids, ...found.flatMap((items) => items.map((doc) => doc.partnerId))]),
    );
    if (read === undefined) return this.live.filled ? then() : undefined;
    if (read.value === null) return undefined;
    // each AS2 id's partners in `_id` order, as the pages put them (a partner has one AS2 id: no two lists share one)
    for (const items of read.value) for (const doc of items) this.live.directory.putPartner(doc);
    return then();
  }

  /**
   * One partner's document while the refill runs (a pause or a traffic read names its partner by id): null when there
   * is none, undefined when the refill is over meanwhile or every read was overtaken (the directory answers then).
   */
  private async partnerById(partnerId: string): Promise<KnownPartnerDocument | null | undefined> {
    const read = await this.readBesideEvents(
      () => this.partners.get(partnerId),
      (doc) => (doc ? [partnerId, doc.as2Id] : [partnerId]),
    );
    return read?.value;
  }

  /**
   * Documents read while the refill runs, once no event about them (`keysOf` what was read: partner ids and AS2 ids)
   * was being applied or began during the read: such an event may have put a newer copy in memory than the document
   * read. Read again up to LOOK_UPS_AGAIN times; undefined when every read was overtaken or the refill is over.
   */
  private async readBesideEvents<R>(read: () => Promise<R>, keysOf: (value: R) => readonly string[]): Promise<{ readonly value: R } | undefined> {
    for (let attempt = 0; attempt <= LOOK_UPS_AGAIN; attempt += 1) {
      if (this.live.filled) return undefined;
      const begun = this.touchedDuringRefill.begun;
      const value = await read();
      if (this.live.filled) return undefined;
      if (!this.touchedDuringRefill.overtakes(keysOf(value), begun)) return { value };
    }
    return undefined;
  }

  /**
   * The documents of what events changed while the pages were read, put again: the latest documents, since each event
   * marks its ids after writing them. Until none is left and no event begun during the refill is still being applied
   * (one may have put its partner in memory before a page put an older copy, and not have marked it yet), so after
   * this nothing older is put: an event applied from here on computes from the documents and puts its own result.
   */
  private async putAgainWhatEventsTouched(): Promise<void> {
    for (;;) {
      await this.touchedDuringRefill.whenIdle();
      const touched = this.touchedDuringRefill.take();
      if (touched.isEmpty) return;
      for (const id of touched.instances) {
        const doc = await this.instances.get(id);
        if (doc && !doc.deleted) this.live.directory.putInstance(doc);
        else if (doc) this.live.directory.removeInstance(id);
      }
      for (const id of touched.partners) {
        const doc = await this.partners.get(id);
        if (doc) this.live.directory.putPartner(doc);
      }
      for (const id of touched.partnerships) {
        const doc = await this.partnerships.get(id);
        if (doc && !doc.deleted) this.live.directory.putPartnership(doc);
        else if (doc) this.live.directory.removePartnership(id);
      }
      for (const id of touched.overrides) {
        const doc = await this.overrides.get(id);
        if (doc) this.live.directory.putActiveOverride(doc.partnerId, doc.tenant, doc.active);
      }
    }
  }

  protected accepts(event: RecordedEvent): boolean {
    return KNOWN_TYPES.has(event.type);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.partners.clear(), this.instances.clear(), this.stations.clear(), this.tenants.clear(), this.partnerships.clear(), this.overrides.clear()]);
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.partners, this.instances, this.stations, this.tenants, this.partnerships, this.overrides);
  }

  /**
   * An event delivered during the refill does not wait for it (the bus, and a create waiting for its delivery, would
   * wait seconds at start): it is computed from the documents, not from the half-filled memory, and once its document
   * is written its ids are marked, so the refill puts their documents again after its pages (a page read before the
   * event must not win over it). Decisions wait for the refill either way.
   */
  protected async apply(event: RecordedEvent): Promise<void> {
    await this.markedDuringRefill([event], (refilling) => this.applyTo(event, this.documents, refilling));
  }

  /** A delivered batch: the directory learns event by event, each document is read once and written once (one write per collection). */
  protected override async applyBatch(events: readonly RecordedEvent[]): Promise<void> {
    await this.markedDuringRefill(events, async (refilling) => {
      const run = new StagedRun();
      const docs: RegistryDocuments = {
        partners: run.stage(this.partners),
        instances: run.stage(this.instances),
        stations: run.stage(this.stations),
        tenants: run.stage(this.tenants),
        partnerships: run.stage(this.partnerships),
        overrides: run.stage(this.overrides),
      };
      for (const event of events) await this.applyTo(event, docs, refilling);
      await run.flush();
    });
  }

  /** Runs `applying`; begun during the refill, it is held in flight and its events' ids are marked once their documents are written (or it failed). */
  private async markedDuringRefill(events: readonly RecordedEvent[], applying: (refilling: boolean) => Promise<void>): Promise<void> {
    if (this.live.filled) {
      this.touchedDuringRefill.forgetKeys();
      return applying(false);
    }
    this.touchedDuringRefill.applying(events);
    try {
      await applying(true);
    } finally {
      this.touchedDuringRefill.applied(events);
    }
  }

  private async applyTo(event: RecordedEvent, docs: RegistryDocuments, refilling: boolean): Promise<void> {
    const [kind] = event.type.split('.');
    if (OVERRIDE_TYPES.has(event.type)) await this.applyOverride(event, docs);
    else if (kind === 'partner' || kind === 'master_partner') await this.applyPartner(event, docs, refilling);
    else if (kind === 'as2_instance') await this.applyInstance(event, docs, refilling);
    else if (kind === 'station') await this.applyStation(event, docs);
    else if (kind === 'tenant') await this.applyTenant(event, docs);
    else if (kind === 'partnership') await this.applyPartnership(event, docs);
    this.live.applied('partner-registry', event.position);
  }

  /** During a refill, `existing` comes from the documents: the half-filled memory may hold a page's older copy. */
  private async applyPartner(event: RecordedEvent, { partners }: RegistryDocuments, refilling: boolean): Promise<void> {
    const partner = readPartnerEvent(event);
    const { data: d, master } = partner;
    const existing = (refilling ? undefined : this.live.directory.partner(d.partnerId)) ?? (await partners.get(d.partnerId));
    let next: KnownPartnerDocument | null = null;
    switch (event.type.slice(event.type.indexOf('.') + 1)) {
      case 'created.v1':
        if (existing?.deleted) return;
        next = knownPartnerCreated(partner);
        break;
      case 'updated.v1':
        if (!existing || existing.deleted) return;
        next = {
          ...existing,
          _id: existing.partnerId,
          ...(d.changes?.name !== undefined ? { name: d.changes.name } : {}),
          ...(d.changes?.active !== undefined ? { active: d.changes.active } : {}),
          ...(d.changes?.stationId !== undefined ? { stationId: d.changes.stationId } : {}),
        };
        break;
      case 'as2_id_changed.v1':
        if (!existing || existing.deleted || !d.newAs2Id) return;
        next = { ...existing, _id: existing.partnerId, as2Id: d.newAs2Id };
        break;
      case 'deleted.v1':
        next = {
          _id: d.partnerId,
          partnerId: d.partnerId,
          account: existing?.account ?? event.metadata.account,
          tenant: existing ? existing.tenant : master ? null : event.metadata.tenant,
          as2Id: existing?.as2Id ?? d.as2Id ?? '',
          name: existing?.name ?? '',
          active: existing?.active ?? false,
          deleted: true,
          stationId: existing?.stationId ?? null,
        };
        break;
      default:
        return;
    }
    this.live.directory.putPartner(next);
    await partners.put(next);
  }

  /**
   * A tenant's overrides of a master partner: only `active` decides traffic (a tenant that switched it off exchanges
   * nothing with it); its station and name say where and how the tenant's blocked-message notices go.
   */
  private async applyOverride(event: RecordedEvent, { overrides }: RegistryDocuments): Promise<void> {
    const d = event.data as PartnerOverridePayload;
    const id = knownOverrideIdOf(d.masterPartnerId, d.tenant);
    const existing = await overrides.get(id);
    if (existing && event.revision <= existing.revision) return;
    const set = event.type === 'partner.override_set.v1' ? (d.overrides ?? {}) : {};
    const active = set.active ?? null;
    const next: KnownPartnerOverrideDocument = {
      _id: id,
      account: d.account,
      tenant: d.tenant,
      partnerId: d.masterPartnerId,
      active,
      stationId: set.stationId ?? null,
      name: set.name ?? null,
      revision: event.revision,
    };
    this.live.directory.putActiveOverride(next.partnerId, next.tenant, active);
    await overrides.put(next);
  }

  private async applyInstance(event: RecordedEvent, { instances }: RegistryDocuments, refilling: boolean): Promise<void> {
    const d = event.data as As2InstancePayload;
    const known = refilling ? undefined : this.live.directory.instance(d.instanceId);
    const existing: KnownInstanceDocument | null = known ? { ...known, _id: known.instanceId, deleted: false } : await instances.get(d.instanceId);
    let next: KnownInstanceDocument;
    switch (event.type) {
      case 'as2_instance.created.v1':
        if (existing?.deleted) return;
        next = {
          _id: d.instanceId,
          instanceId: d.instanceId,
          ...instanceOwnerOf(event),
          myAs2Id: d.myAs2Id ?? '',
          status: d.status ?? 'on',
          deleted: false,
        };
        break;
      case 'as2_instance.updated.v1':
      case 'as2_instance.status_changed.v1':
        if (!existing || existing.deleted) return;
        next = {
          ...existing,
          myAs2Id: d.changes?.myAs2Id ?? d.myAs2Id ?? existing.myAs2Id,
          status: d.changes?.status ?? d.status ?? existing.status,
        };
        break;
      case 'as2_instance.deleted.v1':
        this.live.directory.removeInstance(d.instanceId);
        if (existing) await instances.put({ ...existing, deleted: true });
        return;
      default:
        return;
    }
    this.live.directory.putInstance(next);
    await instances.put(next);
  }

  /** Partnerships decide which pairs exchange (see TrafficDirectory). */
  private async applyPartnership(event: RecordedEvent, { partnerships }: RegistryDocuments): Promise<void> {
    const d = event.data as PartnershipPayload;
    const existing = await partnerships.get(d.partnershipId);
    const tenant = d.tenant ?? existing?.tenant ?? event.metadata.tenant;
    const as2InstanceId = d.as2InstanceId ?? existing?.as2InstanceId;
    const partnerId = d.partnerId ?? existing?.partnerId;
    if (!as2InstanceId || !partnerId || !tenant) return;
    const deleted = event.type === 'partnership.deleted.v1';
    if (!deleted && existing?.deleted) return;
    const next: KnownPartnershipDocument = { _id: d.partnershipId, partnershipId: d.partnershipId, account: d.account ?? event.metadata.account, tenant, as2InstanceId, partnerId, deleted };
    if (deleted) this.live.directory.removePartnership(d.partnershipId);
    else this.live.directory.putPartnership(next);
    await partnerships.put(next);
  }

  private async applyStation(event: RecordedEvent, { stations }: RegistryDocuments): Promise<void> {
    const d = event.data as StationPayload;
    const existing = await stations.get(d.stationId);
    if (event.type === 'station.deleted.v1') {
      if (existing) await stations.put({ ...existing, deleted: true });
      return;
    }
    if (event.type === 'station.created.v1') {
      if (existing?.deleted) return;
      await stations.put({
        _id: d.stationId,
        account: d.account ?? event.metadata.account,
        tenant: d.tenant ?? event.metadata.tenant,
        name: d.name ?? '',
        notificationEmail: d.notificationEmail ?? null,
        deleted: false,
      });
      return;
    }
    if (!existing || existing.deleted) return;
    const changes = d.changes ?? d;
    await stations.put({
      ...existing,
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.notificationEmail !== undefined ? { notificationEmail: changes.notificationEmail } : {}),
    });
  }

  private async applyTenant(event: RecordedEvent, { tenants }: RegistryDocuments): Promise<void> {
    const d = event.data as TenantPayload;
    const id = knownTenantIdOf(d.account, d.tenantId);
    if (event.type === 'tenant.deleted.v1') this.live.directory.markTenantDeleted(d.account, d.tenantId);
    const existing = await tenants.get(id);
    const email = d.notificationEmail ?? d.changes?.notificationEmail;
    await tenants.put({
      _id: id,
      account: d.account,
      tenant: d.tenantId,
      notificationEmail: email !== undefined ? email : (existing?.notificationEmail ?? null),
      // Kept, not removed: the tenant's tokens are refused from now on.
      deleted: event.type === 'tenant.deleted.v1' || existing?.deleted === true,
    });
  }
}

/**
 * The ids of partners, instances and partnerships that events changed while the directory was being refilled, and
 * whether an event (or batch) begun then is still being applied.
 */
class TouchedDuringRefill {
  private partners = new Set<string>();
  private instances = new Set<string>();
  private partnerships = new Set<string>();
  private overrides = new Set<string>();
  private applyingNow = 0;
  private begunSoFar = 0;
  /** Partner ids and AS2 ids of events begun during the refill: when the last such event began (`begun` then). */
  private readonly partnerKeysBegun = new Map<string, number>();
  /** Partner ids and AS2 ids of events being applied now: how many such events. */
  private readonly partnerKeysApplying = new Map<string, number>();
  private idle: (() => void)[] = [];

  /** Events or batches begun during the refill so far: a reader of documents tells by it (`overtakes`) what began meanwhile. */
  get begun(): number {
    return this.begunSoFar;
  }

  /** An event or batch begins to be applied during the refill. */
  applying(events: readonly RecordedEvent[]): void {
    this.applyingNow += 1;
    this.begunSoFar += 1;
    for (const key of partnerKeysOf(events)) {
      this.partnerKeysBegun.set(key, this.begunSoFar);
      this.partnerKeysApplying.set(key, (this.partnerKeysApplying.get(key) ?? 0) + 1);
    }
  }

  /** The refill is over: no reader needs the keys any more. */
  forgetKeys(): void {
    if (this.partnerKeysBegun.size > 0) this.partnerKeysBegun.clear();
  }

  /**
   * Whether an event about one of these partner ids or AS2 ids is being applied, or began after `begun`: documents read
   * since then may be older than what that event put in memory.
   */
  overtakes(keys: readonly string[], begun: number): boolean {
    return keys.some((key) => this.partnerKeysApplying.has(key) || (this.partnerKeysBegun.get(key) ?? 0) > begun);
  }

  /** Its documents are written (or it failed): its ids are marked. */
  applied(events: readonly RecordedEvent[]): void {
    for (const key of partnerKeysOf(events)) {
      const left = (this.partnerKeysApplying.get(key) ?? 1) - 1;
      if (left > 0) this.partnerKeysApplying.set(key, left);
      else this.partnerKeysApplying.delete(key);
    }
    for (const event of events) {
      const [kind] = event.type.split('.');
      const d = event.data as { partnerId?: string; instanceId?: string; partnershipId?: string; masterPartnerId?: string; tenant?: string };
      if (OVERRIDE_TYPES.has(event.type) && d.masterPartnerId && d.tenant) this.overrides.add(knownOverrideIdOf(d.masterPartnerId, d.tenant));
      else if ((kind === 'partner' || kind === 'master_partner') && d.partnerId) this.partners.add(d.partnerId);
      else if (kind === 'as2_instance' && d.instanceId) this.instances.add(d.instanceId);
      else if (kind === 'partnership' && d.partnershipId) this.partnerships.add(d.partnershipId);
    }
    this.applyingNow -= 1;
    if (this.applyingNow === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Resolves when no event begun during the refill is being applied. */
  whenIdle(): Promise<void> {
    return this.applyingNow === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  /** What was marked so far, and nothing marked from now on. */
  take(): {
    readonly partners: ReadonlySet<string>;
    readonly instances: ReadonlySet<string>;
    readonly partnerships: ReadonlySet<string>;
    readonly overrides: ReadonlySet<string>;
    readonly isEmpty: boolean;
  } {
    const taken = { partners: this.partners, instances: this.instances, partnerships: this.partnerships, overrides: this.overrides };
    this.partners = new Set();
    this.instances = new Set();
    this.partnerships = new Set();
    this.overrides = new Set();
    return { ...taken, isEmpty: taken.partners.size + taken.instances.size + taken.partnerships.size + taken.overrides.size === 0 };
  }
}

/** The partner ids and AS2 ids partner events name (a created partner's id, an id changed to). */
function partnerKeysOf(events: readonly RecordedEvent[]): string[] {
  const keys: string[] = [];
  for (const event of events) {
    const [kind] = event.type.split('.');
    if (kind !== 'partner' && kind !== 'master_partner') continue;
    const d = event.data as { partnerId?: string; as2Id?: string; newAs2Id?: string };
    for (const key of [d.partnerId, d.as2Id, d.newAs2Id]) if (typeof key === 'string') keys.push(key);
  }
  return keys;
}
