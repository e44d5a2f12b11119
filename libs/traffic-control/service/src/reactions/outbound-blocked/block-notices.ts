import { DomainError, KeyedMutex, type ReadModelCollection, type RecordedEvent, type WriteModel } from '@as2-partners/kernel';
import { systemMetadata } from '@as2-partners/platform';
import { blockNoticeDecider, openClaimOf, TrafficControlErrorCode, TrafficControlStreams, type OutboundBlocked } from '@as2-partners/traffic-control-domain';
import type { TrafficControlConfig } from '../../config/traffic-control.config';
import type { RegistryFactsConsumer } from '../partner-registry-events/registry-facts.consumer';
import { knownOverrideIdOf, knownTenantIdOf, type KnownTenantDocument } from '../partner-registry-events/known-registry.documents';
import {
  blockNoticeIdOf,
  pendingBlockIdOf,
  pendingBlockOrderOf,
  type BlockNoticeCollections,
  type BlockNoticeDocument,
  type PendingBlock,
  type PendingBlockDocument,
} from './block-notice.document';
import { blockNoticeMail } from './block-notice.mail';
import { NoticeRefusedError, type NoticeTransport } from './notice-mail-transport';

/**
 * Recently mailed blocks the document remembers, so a redelivered block is not queued again; the notice stream's
 * claims are what keeps any block from being mailed twice, so this stays short (the document is rewritten per notice).
 */
const SENT_IDS_KEPT = 200;
const MAX_RETRY_DELAY_MS = 5 * 60_000;
const DUE_BATCH = 50;
/** Blocks recorded (not mailed) at once when a notice has no address or no SMTP server: a read of this many at a time. */
const UNMAILED_PAGE = 500;
/**
 * Blocks one notice lists (and its claim event names): after an SMTP outage the rest follow in the next notices, one an
 * interval, so no mail or event grows with the length of the outage.
 */
export const BLOCKS_PER_NOTICE = 100;

interface NewBlock {
  readonly eventId: string;
  readonly position: number | undefined;
  readonly data: OutboundBlocked['data'];
}

/**
 * Groups blocked outbound messages into at most one e-mail per partner (and tenant) per interval, listing the
 * message ids, to the partner's station notification address, else the tenant's, else the configured default.
 * Pending blocks are documents, one per block, so a restart mails what was still waiting and adding a block costs the
 * same however many wait; the notice's document holds its schedule, written when that changes. A failed send is
 * retried with backoff. Across replicas a mail goes out only after its sender claimed the partner's notice slot on the
 * event store (`blockNoticeDecider`, expected revision): one claim per partner per interval, whichever replica wins;
 * within one process a notice's documents are updated under a lock.
 */
export class BlockNotices {
  private readonly lock = new KeyedMutex();
  private readonly notices: ReadModelCollection<BlockNoticeDocument>;
  private readonly pending: ReadModelCollection<PendingBlockDocument>;

  constructor(
    collections: BlockNoticeCollections,
    private readonly registry: RegistryFactsConsumer,
    private readonly transport: NoticeTransport,
    private readonly config: Pick<TrafficControlConfig, 'noticeFrom' | 'defaultNoticeEmail' | 'noticeIntervalMs' | 'noticeGatherMs'>,
    /** Where the slot is claimed, and this replica's name in the claims. */
    private readonly slots: { readonly writeModel: WriteModel; readonly claimant: string },
    private readonly logger?: { warn(message: string): void; error(message: string): void },
  ) {
    this.notices = collections.notices;
    this.pending = collections.pending;
  }

  /** Adds a block to its partner's next notice (idempotent by event id). */
  add(event: RecordedEvent): Promise<void> {
    return this.addAll([event]);
  }

  /**
   * Adds blocks to their partners' next notices: a small document per new block, and the notice's document only when
   * nothing was waiting (its due time starts); idempotent by event id.
   */
  async addAll(events: readonly RecordedEvent[]): Promise<void> {
    const byNotice = new Map<string, NewBlock[]>();
    for (const event of events) {
      const data = (event as unknown as OutboundBlocked).data;
      const id = blockNoticeIdOf(data.account, data.tenant, data.partnerId);
      const block = { eventId: event.id, position: event.position, data };
      const blocks = byNotice.get(id);
      if (blocks) blocks.push(block);
      else byNotice.set(id, [block]);
    }
    // Every touched notice under its lock, taken in one order (sendDue holds one lock at a time: no deadlock).
    await this.underLocks([...byNotice.keys()].sort(), async () => {
      for (const [id, blocks] of byNotice) await this.addTo(id, blocks);
    });
  }

  private async addTo(id: string, blocks: readonly NewBlock[]): Promise<void> {
    const existing = await this.noticeOf(id);
    const mailed = new Set(existing?.sentEventIds ?? []);
    // One document per message: a redelivered block, or the message blocked again (the gateway asking about it anew)
    // while its notice waits, finds it taken and is listed once, with its first block.
    const fresh = new Map<string, PendingBlockDocument>();
    for (const { eventId, position, data: d } of blocks) {
      const _id = pendingBlockIdOf(id, d.messageId);
      if (mailed.has(eventId) || fresh.has(_id)) continue;
      fresh.set(_id, { _id, notice: id, order: pendingBlockOrderOf(d.blockedAt, position), eventId, messageId: d.messageId, channel: d.channel, reason: d.reason, blockedAt: d.blockedAt });
    }
    const added = (await Promise.all([...fresh.values()].map((block) => this.pending.insert(block)))).includes(true);
    // A due time already set covers the new blocks; a replica clearing it meanwhile looks for blocks after it did (reschedule).
    if (!added || (existing !== null && existing.dueAt !== null)) return;
    const first = await this.firstPending(id);
    if (first === null) return;
    const d = (blocks[0] as NewBlock).data;
    const notice = existing ?? { _id: id, account: d.account, tenant: d.tenant, partnerId: d.partnerId, lastSentAt: null, dueAt: null, attempts: 0, lastError: null, lastFailure: null, sentEventIds: [] };
    await this.notices.put({ ...notice, dueAt: this.dueAtOf(notice, first) });
  }

  private underLocks(ids: readonly string[], work: () => Promise<void>): Promise<void> {
    const [first, ...rest] = ids;
    return first === undefined ? work() : this.lock.run(first, () => this.underLocks(rest, work));
  }

  /**
   * Sends every notice due at `now`; returns how many mails went out. `clock` reads the time a mail went out: the
   * partner's interval counts from then, not from the tick (a send slow under load would shorten the gap the partner sees).
   */
  async sendDue(now: Date, clock: () => Date = () => now): Promise<number> {
    const due = await this.notices.find({ filter: { dueAt: { $ne: null, $lte: now.toISOString() } }, sort: { dueAt: 1 }, limit: DUE_BATCH, withoutTotal: true });
    let sent = 0;
    for (const candidate of due.items) {
      await this.lock.run(candidate._id, async () => {
        if (await this.sendNotice(candidate._id, now, clock)) sent += 1;
      });
    }
    return sent;
  }

  /** Sends one notice if it is due: its first BLOCKS_PER_NOTICE pending blocks, in order, and how many follow. */
  private async sendNotice(id: string, now: Date, clock: () => Date): Promise<boolean> {
    const doc = await this.noticeOf(id);
    if (!doc || doc.dueAt === null || doc.dueAt > now.toISOString()) return false;
    const waiting = await this.pending.find({ filter: { notice: id }, sort: { order: 1 }, limit: BLOCKS_PER_NOTICE });
    if (waiting.items.length === 0) {
      await this.reschedule(doc, null);
      return false;
    }
    const tenant = await this.tenantOf(doc);
    if (tenant?.deleted) {
      await this.recordUnmailed(doc, `tenant ${doc.tenant as string} was deleted`, now);
      return false;
    }
    const to = await this.recipientOf(doc, tenant);
    if (to === null || !this.transport.enabled) {
      await this.recordUnmailed(doc, to === null ? `no notice address for partner ${doc.partnerId}` : null, now);
      return false;
    }
    const claim = await this.claim(doc, waiting.items, now);
    if (claim === 'taken') return false;
    const { claimed, settled } = claim;
    // Blocks another notice settled (another replica's, or a send confirmed before a restart) leave with this one's.
    const done = (ids: readonly string[]) => waiting.items.filter((p) => ids.includes(p.eventId) || settled.has(p.eventId));
    if (claimed.length === 0) {
      // What this replica would list went out already: those leave, the rest stay for the next notice.
      await this.settle(doc, done([]), (current) => ({ ...current, attempts: 0, lastError: null }), (current) => current.dueAt ?? now.toISOString());
      return false;
    }
    const listed = waiting.items.filter((p) => claimed.includes(p.eventId));
    try {
      await this.transport.send(await this.mailOf(doc, to, listed, waiting.total - listed.length));
    } catch (error) {
      if (error instanceof NoticeRefusedError) {
        await this.recordFailed(doc, claimed, listed, done(claimed), error, now);
        return false;
      }
      const attempts = doc.attempts + 1;
      const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(attempts, 10));
      this.logger?.warn(`Blocked-message notice for ${doc._id} failed (attempt ${attempts}), retrying in ${delay} ms: ${String(error)}`);
      const current = await this.latest(doc);
      await this.notices.put({ ...current, attempts, lastError: String(error), dueAt: new Date(now.getTime() + delay).toISOString() });
      return false;
    }
    await this.slots.writeModel.decide(
      TrafficControlStreams.blockNotice(doc.account, doc.tenant, doc.partnerId),
      blockNoticeDecider,
      { type: 'confirm_sent', account: doc.account, tenant: doc.tenant, partnerId: doc.partnerId, claimant: this.slots.claimant, eventIds: claimed, now: now.toISOString() },
      systemMetadata({ account: doc.account, tenant: doc.tenant }, { type: 'system', id: this.slots.claimant }, now),
    );
    const sentAt = new Date(Math.max(now.getTime(), clock().getTime()));
    await this.settle(
      doc,
      done(claimed),
      (current) => ({ ...current, lastSentAt: sentAt.toISOString(), attempts: 0, lastError: null, sentEventIds: [...current.sentEventIds, ...claimed].slice(-SENT_IDS_KEPT) }),
      () => new Date(sentAt.getTime() + this.config.noticeIntervalMs).toISOString(),
    );
    return true;
  }

  /**
   * A notice the SMTP server refused for good (550 mailbox unavailable…): recorded as failed on the notice's stream and
   * document, its blocks settled and never retried; blocks still waiting go out after the interval, as after a sent one.
   */
  private async recordFailed(doc: BlockNoticeDocument, claimed: readonly string[], listed: readonly PendingBlock[], done: readonly PendingBlockDocument[], refusal: NoticeRefusedError, now: Date): Promise<void> {
    const { smtpCode, smtpReply } = refusal;
    this.logger?.error(`Blocked-message notice for ${doc._id} refused by the SMTP server, not retried: ${smtpReply}`);
    await this.slots.writeModel.decide(
      TrafficControlStreams.blockNotice(doc.account, doc.tenant, doc.partnerId),
      blockNoticeDecider,
      { type: 'record_failed', account: doc.account, tenant: doc.tenant, partnerId: doc.partnerId, claimant: this.slots.claimant, eventIds: claimed, smtpCode, smtpReply, now: now.toISOString() },
      systemMetadata({ account: doc.account, tenant: doc.tenant }, { type: 'system', id: this.slots.claimant }, now),
    );
    await this.settle(
      doc,
      done,
      (current) => ({
        ...current,
        attempts: 0,
        lastError: smtpReply,
        lastFailure: { failedAt: now.toISOString(), smtpCode, smtpReply, messageIds: listed.map((p) => p.messageId) },
        sentEventIds: [...current.sentEventIds, ...claimed].slice(-SENT_IDS_KEPT),
      }),
      () => new Date(now.getTime() + this.config.noticeIntervalMs).toISOString(),
    );
  }

  /**
   * No address, no SMTP server configured, or the notice's tenant deleted (its partners' blocks mailed to no one, the
   * tenant's addresses included): every waiting block is recorded, not mailed; `why`, when given, is logged.
   */
  private async recordUnmailed(doc: BlockNoticeDocument, why: string | null, now: Date): Promise<void> {
    const current = await this.latest(doc);
    let cleared = 0;
    let sentEventIds = current.sentEventIds;
    for (;;) {
      const page = (await this.pending.find({ filter: { notice: doc._id }, sort: { order: 1 }, limit: UNMAILED_PAGE, withoutTotal: true })).items;
      await Promise.all(page.map((block) => this.pending.delete(block._id)));
      cleared += page.length;
      sentEventIds = [...sentEventIds, ...page.map((p) => p.eventId)].slice(-SENT_IDS_KEPT);
      if (page.length < UNMAILED_PAGE) break;
    }
    if (why !== null) this.logger?.warn(`Blocked-message notice ${doc._id}: ${why}, ${cleared} blocked message(s) not mailed`);
    await this.reschedule({ ...current, lastSentAt: now.toISOString(), attempts: 0, lastError: null, sentEventIds }, null);
  }

  /**
   * Removes the blocks a notice is done with and writes the notice as it is now (another replica may have written it
   * since `doc` was read) with `next`'s changes, due at `dueWhileWaiting` if blocks still wait.
   */
  private async settle(
    doc: BlockNoticeDocument,
    done: readonly PendingBlockDocument[],
    next: (current: BlockNoticeDocument) => BlockNoticeDocument,
    dueWhileWaiting: (current: BlockNoticeDocument) => string,
  ): Promise<void> {
    await Promise.all(done.map((block) => this.pending.delete(block._id)));
    const current = await this.latest(doc);
    await this.reschedule(next(current), dueWhileWaiting(current));
  }

  /**
   * Writes the notice with its next due time: `dueWhileWaiting` (null: a gather time after its first block, not within
   * the interval) while blocks wait, none once none does. A replica that added a block meanwhile wrote no due time if it
   * read one set, so after clearing it the blocks are looked at again: such a block waits for no later block.
   */
  private async reschedule(notice: BlockNoticeDocument, dueWhileWaiting: string | null): Promise<void> {
    const first = await this.firstPending(notice._id);
    const written = { ...notice, dueAt: first ? (dueWhileWaiting ?? this.dueAtOf(notice, first)) : null };
    await this.notices.put(written);
    if (first) return;
    const added = await this.firstPending(notice._id);
    if (added) await this.notices.put({ ...written, dueAt: this.dueAtOf(written, added) });
  }

  /** When a notice whose first waiting block is `first` goes out: a gather time after it, and not within the interval. */
  private dueAtOf(notice: BlockNoticeDocument, first: PendingBlock): string {
    const gathered = Date.parse(first.blockedAt) + this.config.noticeGatherMs;
    const allowed = notice.lastSentAt ? Date.parse(notice.lastSentAt) + this.config.noticeIntervalMs : 0;
    return new Date(Math.max(gathered, allowed)).toISOString();
  }

  private async firstPending(noticeId: string): Promise<PendingBlockDocument | null> {
    return (await this.pending.find({ filter: { notice: noticeId }, sort: { order: 1 }, limit: 1, withoutTotal: true })).items[0] ?? null;
  }

  /**
   * The notice's document; one written before pending blocks were documents of their own has its list moved out, in
   * its order, when first read (inserts: a replica doing the same at once writes the same documents).
   */
  private async noticeOf(id: string): Promise<BlockNoticeDocument | null> {
    const doc = await this.notices.get(id);
    if (doc?.pending === undefined) return doc;
    const { pending, ...notice } = doc;
    for (const [i, p] of pending.entries()) await this.pending.insert({ ...p, _id: pendingBlockIdOf(id, p.messageId), notice: id, order: pendingBlockOrderOf(p.blockedAt, i) });
    await this.notices.put(notice);
    return notice;
  }

  /** The notice as it is now, to write back: another replica may have written it since `doc` was read. */
  private async latest(doc: BlockNoticeDocument): Promise<BlockNoticeDocument> {
    return (await this.noticeOf(doc._id)) ?? doc;
  }

  /**
   * Claims the partner's notice slot for the first pending blocks: the event ids this replica may mail now (its open
   * claim: new, or its own earlier one after a failed send), none when all were settled already, or `taken` while
   * another replica's claim holds the slot (the notice is left as it is: the winner clears what it mails). `settled`:
   * the blocks the stream says were mailed or refused.
   */
  private async claim(doc: BlockNoticeDocument, blocks: readonly PendingBlock[], now: Date): Promise<{ readonly claimed: readonly string[]; readonly settled: ReadonlySet<string> } | 'taken'> {
    try {
      const decision = await this.slots.writeModel.decide(
        TrafficControlStreams.blockNotice(doc.account, doc.tenant, doc.partnerId),
        blockNoticeDecider,
        {
          type: 'claim',
          account: doc.account,
          tenant: doc.tenant,
          partnerId: doc.partnerId,
          claimant: this.slots.claimant,
          eventIds: blocks.map((p) => p.eventId),
          messageIds: blocks.map((p) => p.messageId),
          intervalMs: this.config.noticeIntervalMs,
          now: now.toISOString(),
        },
        systemMetadata({ account: doc.account, tenant: doc.tenant }, { type: 'system', id: this.slots.claimant }, now),
      );
      const { state } = decision;
      return { claimed: openClaimOf(state, this.slots.claimant) ?? [], settled: new Set([...state.sent, ...(state.failed ?? [])]) };
    } catch (error) {
      if (error instanceof DomainError && error.code === TrafficControlErrorCode.NoticeSlotTaken) return 'taken';
      throw error;
    }
  }

  /** The partner as the notice's tenant sees it: an inherited master partner with the tenant's station and name. */
  private async partnerOf(doc: BlockNoticeDocument): Promise<{ readonly name: string; readonly as2Id: string; readonly stationId: string | null } | null> {
    const partner = await this.registry.partners.get(doc.partnerId);
    if (!partner || partner.tenant !== null || doc.tenant === null) return partner;
    const override = await this.registry.overrides.get(knownOverrideIdOf(doc.partnerId, doc.tenant));
    return { name: override?.name ?? partner.name, as2Id: partner.as2Id, stationId: override?.stationId ?? partner.stationId };
  }

  /** The notice's tenant as the registry told it (deleted ones included); null for an account's own notice or a tenant not known. */
  private async tenantOf(doc: BlockNoticeDocument): Promise<KnownTenantDocument | null> {
    return doc.tenant ? this.registry.tenants.get(knownTenantIdOf(doc.account, doc.tenant)) : null;
  }

  /** The partner's station address, else its tenant's (`tenant`: the notice's, as read for it), else the default. */
  private async recipientOf(doc: BlockNoticeDocument, tenant: KnownTenantDocument | null): Promise<string | null> {
    const partner = await this.partnerOf(doc);
    const station = partner?.stationId ? await this.registry.stations.get(partner.stationId) : null;
    if (station && !station.deleted && station.tenant === doc.tenant && station.notificationEmail) return station.notificationEmail;
    return tenant?.notificationEmail ?? this.config.defaultNoticeEmail;
  }

  private async mailOf(doc: BlockNoticeDocument, to: string, listed: readonly PendingBlock[], following: number) {
    const partner = await this.partnerOf(doc);
    const name = partner ? `${partner.name} (${partner.as2Id})` : doc.partnerId;
    return blockNoticeMail({ from: this.config.noticeFrom, to, partner: name, partnerId: doc.partnerId, tenant: doc.tenant, listed, following });
  }
}
