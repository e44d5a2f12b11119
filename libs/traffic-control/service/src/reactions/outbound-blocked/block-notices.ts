import { DomainError, KeyedMutex, type ReadModelCollection, type RecordedEvent, type WriteModel } from '@as2-partners/kernel';
import { systemMetadata } from '@as2-partners/platform';
import { blockNoticeDecider, openClaimOf, TrafficControlErrorCode, TrafficControlStreams, type OutboundBlocked } from '@as2-partners/traffic-control-domain';
import type { TrafficControlConfig } from '../../config/traffic-control.config';
import type { RegistryFactsConsumer } from '../partner-registry-events/registry-facts.consumer';
import { knownOverrideIdOf, knownTenantIdOf } from '../partner-registry-events/known-registry.documents';
import { blockNoticeIdOf, type BlockNoticeDocument } from './block-notice.document';
import { blockNoticeMail } from './block-notice.mail';
import { NoticeRefusedError, type NoticeTransport } from './notice-mail-transport';

/**
 * Recently mailed blocks the document remembers, so a redelivered block is not queued again; the notice stream's
 * claims are what keeps any block from being mailed twice, so this stays short (the document is rewritten per block).
 */
const SENT_IDS_KEPT = 200;
const MAX_RETRY_DELAY_MS = 5 * 60_000;
const DUE_BATCH = 50;
/**
 * Blocks one notice lists (and its claim event names): after an SMTP outage the rest follow in the next notices, one an
 * interval, so no mail or event grows with the length of the outage.
 */
export const BLOCKS_PER_NOTICE = 100;

/**
 * Groups blocked outbound messages into at most one e-mail per partner (and tenant) per interval, listing the
 * message ids, to the partner's station notification address, else the tenant's, else the configured default.
 * Pending blocks are documents, so a restart mails what was still waiting; a failed send is retried with backoff.
 * Across replicas a mail goes out only after its sender claimed the partner's notice slot on the event store
 * (`blockNoticeDecider`, expected revision): one claim per partner per interval, whichever replica wins; within one
 * process the documents are updated under a lock.
 */
export class BlockNotices {
  private readonly lock = new KeyedMutex();

  constructor(
    private readonly notices: ReadModelCollection<BlockNoticeDocument>,
    private readonly registry: RegistryFactsConsumer,
    private readonly transport: NoticeTransport,
    private readonly config: Pick<TrafficControlConfig, 'noticeFrom' | 'defaultNoticeEmail' | 'noticeIntervalMs' | 'noticeGatherMs'>,
    /** Where the slot is claimed, and this replica's name in the claims. */
    private readonly slots: { readonly writeModel: WriteModel; readonly claimant: string },
    private readonly logger?: { warn(message: string): void; error(message: string): void },
  ) {}

  /** Adds a block to its partner's next notice (idempotent by event id). */
  add(event: RecordedEvent): Promise<void> {
    return this.addAll([event]);
  }

  /**
   * Adds blocks to their partners' next notices with one read-model write for all of them (a burst's blocks are one
   * rewrite per partner, not one per block); idempotent by event id.
   */
  async addAll(events: readonly RecordedEvent[]): Promise<void> {
    const byNotice = new Map<string, OutboundBlocked['data'][]>();
    const eventIds = new Map<OutboundBlocked['data'], string>();
    for (const event of events) {
      const d = (event as unknown as OutboundBlocked).data;
      const id = blockNoticeIdOf(d.account, d.tenant, d.partnerId);
      const blocks = byNotice.get(id);
      if (blocks) blocks.push(d);
      else byNotice.set(id, [d]);
      eventIds.set(d, event.id);
    }
    // Every touched notice under its lock, taken in one order (sendDue holds one lock at a time: no deadlock).
    await this.underLocks([...byNotice.keys()].sort(), async () => {
      const docs: BlockNoticeDocument[] = [];
      for (const [id, blocks] of byNotice) {
        const existing = await this.notices.get(id);
        // A message blocked again (the gateway asking about it anew) is listed once: the list stays as long as the
        // distinct messages, not the decisions, so a burst's rewrite does not grow with every repeated ask.
        const listedMessages = new Set((existing?.pending ?? []).map((p) => p.messageId));
        // The ids already seen, gathered only once a block of an unlisted message arrives (a repeated burst lists none).
        let known: Set<string> | null = null;
        const pending = [...(existing?.pending ?? [])];
        for (const d of blocks) {
          if (listedMessages.has(d.messageId)) continue;
          const eventId = eventIds.get(d) as string;
          known ??= new Set([...(existing?.sentEventIds ?? []), ...(existing?.pending ?? []).map((p) => p.eventId)]);
          if (known.has(eventId)) continue;
          known.add(eventId);
          listedMessages.add(d.messageId);
          pending.push({ eventId, messageId: d.messageId, channel: d.channel, reason: d.reason, blockedAt: d.blockedAt });
        }
        if (pending.length === (existing?.pending.length ?? 0)) continue;
        const d = blocks[0];
        const gathered = Date.parse(pending[0].blockedAt) + this.config.noticeGatherMs;
        const allowed = existing?.lastSentAt ? Date.parse(existing.lastSentAt) + this.config.noticeIntervalMs : 0;
        docs.push({
          _id: id,
          account: d.account,
          tenant: d.tenant,
          partnerId: d.partnerId,
          pending,
          lastSentAt: existing?.lastSentAt ?? null,
          dueAt: existing?.dueAt && existing.attempts > 0 ? existing.dueAt : new Date(Math.max(gathered, allowed)).toISOString(),
          attempts: existing?.attempts ?? 0,
          lastError: existing?.lastError ?? null,
          lastFailure: existing?.lastFailure ?? null,
          sentEventIds: existing?.sentEventIds ?? [],
        });
      }
      if (docs.length > 0) await this.notices.putMany(docs);
    });
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
    const due = await this.notices.find({ filter: { dueAt: { $ne: null, $lte: now.toISOString() } }, sort: { dueAt: 1 }, limit: DUE_BATCH });
    let sent = 0;
    for (const candidate of due.items) {
      await this.lock.run(candidate._id, async () => {
        const doc = await this.notices.get(candidate._id);
        if (!doc || doc.pending.length === 0 || doc.dueAt === null || doc.dueAt > now.toISOString()) return;
        const to = await this.recipientOf(doc);
        if (to === null || !this.transport.enabled) {
          // Recorded, not mailed: no address, or no SMTP server configured.
          if (to === null) this.logger?.warn(`No notice address for partner ${doc.partnerId} (${doc._id}): ${doc.pending.length} blocked message(s) not mailed`);
          await this.notices.put({ ...doc, pending: [], lastSentAt: now.toISOString(), dueAt: null, attempts: 0, lastError: null, sentEventIds: [...doc.sentEventIds, ...doc.pending.map((p) => p.eventId)].slice(-SENT_IDS_KEPT) });
          return;
        }
        const claim = await this.claim(doc, now);
        if (claim === 'taken') return;
        const { claimed, sent: mailed } = claim;
        if (claimed.length === 0) {
          // What this replica would list went out already (another replica's notice, or a send confirmed before a
          // restart): those leave the document as it is now, the rest stay for the next notice.
          const current = await this.latest(doc);
          const rest = current.pending.filter((p) => !mailed.has(p.eventId));
          await this.notices.put({ ...current, pending: rest, dueAt: rest.length > 0 ? (current.dueAt ?? now.toISOString()) : null, attempts: 0, lastError: null });
          return;
        }
        const listed = doc.pending.filter((p) => claimed.includes(p.eventId));
        try {
          await this.transport.send(await this.mailOf(doc, to, listed, doc.pending.length - listed.length));
          sent += 1;
        } catch (error) {
          if (error instanceof NoticeRefusedError) {
            await this.recordFailed(doc, claimed, listed, error, now);
            return;
          }
          const attempts = doc.attempts + 1;
          const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(attempts, 10));
          this.logger?.warn(`Blocked-message notice for ${doc._id} failed (attempt ${attempts}), retrying in ${delay} ms: ${String(error)}`);
          const current = await this.latest(doc);
          await this.notices.put({ ...current, attempts, lastError: String(error), dueAt: new Date(now.getTime() + delay).toISOString() });
          return;
        }
        await this.slots.writeModel.decide(
          TrafficControlStreams.blockNotice(doc.account, doc.tenant, doc.partnerId),
          blockNoticeDecider,
          { type: 'confirm_sent', account: doc.account, tenant: doc.tenant, partnerId: doc.partnerId, claimant: this.slots.claimant, eventIds: claimed, now: now.toISOString() },
          systemMetadata({ account: doc.account, tenant: doc.tenant }, { type: 'system', id: this.slots.claimant }, now),
        );
        const current = await this.latest(doc);
        const rest = current.pending.filter((p) => !claimed.includes(p.eventId));
        const sentAt = Math.max(now.getTime(), clock().getTime());
        await this.notices.put({
          ...current,
          pending: rest,
          lastSentAt: new Date(sentAt).toISOString(),
          dueAt: rest.length > 0 ? new Date(sentAt + this.config.noticeIntervalMs).toISOString() : null,
          attempts: 0,
          lastError: null,
          sentEventIds: [...current.sentEventIds, ...claimed].slice(-SENT_IDS_KEPT),
        });
      });
    }
    return sent;
  }

  /**
   * A notice the SMTP server refused for good (550 mailbox unavailable…): recorded as failed on the notice's stream and
   * document, its blocks settled and never retried; blocks still waiting go out after the interval, as after a sent one.
   */
  private async recordFailed(doc: BlockNoticeDocument, claimed: readonly string[], listed: BlockNoticeDocument['pending'], refusal: NoticeRefusedError, now: Date): Promise<void> {
    const { smtpCode, smtpReply } = refusal;
    this.logger?.error(`Blocked-message notice for ${doc._id} refused by the SMTP server, not retried: ${smtpReply}`);
    await this.slots.writeModel.decide(
      TrafficControlStreams.blockNotice(doc.account, doc.tenant, doc.partnerId),
      blockNoticeDecider,
      { type: 'record_failed', account: doc.account, tenant: doc.tenant, partnerId: doc.partnerId, claimant: this.slots.claimant, eventIds: claimed, smtpCode, smtpReply, now: now.toISOString() },
      systemMetadata({ account: doc.account, tenant: doc.tenant }, { type: 'system', id: this.slots.claimant }, now),
    );
    const current = await this.latest(doc);
    const rest = current.pending.filter((p) => !claimed.includes(p.eventId));
    await this.notices.put({
      ...current,
      pending: rest,
      dueAt: rest.length > 0 ? new Date(now.getTime() + this.config.noticeIntervalMs).toISOString() : null,
      attempts: 0,
      lastError: smtpReply,
      lastFailure: { failedAt: now.toISOString(), smtpCode, smtpReply, messageIds: listed.map((p) => p.messageId) },
      sentEventIds: [...current.sentEventIds, ...claimed].slice(-SENT_IDS_KEPT),
    });
  }

  /** The notice as it is now, to write back: another replica may have written it since `doc` was read. */
  private async latest(doc: BlockNoticeDocument): Promise<BlockNoticeDocument> {
    return (await this.notices.get(doc._id)) ?? doc;
  }

  /**
   * Claims the partner's notice slot for the pending blocks: the event ids this replica may mail now (its open claim:
   * new, or its own earlier one after a failed send), none when all were mailed already, or `taken` while another
   * replica's claim holds the slot (the document is left as it is: the winner clears what it mails).
   */
  private async claim(doc: BlockNoticeDocument, now: Date): Promise<{ readonly claimed: readonly string[]; readonly sent: ReadonlySet<string> } | 'taken'> {
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
          eventIds: doc.pending.slice(0, BLOCKS_PER_NOTICE).map((p) => p.eventId),
          messageIds: doc.pending.slice(0, BLOCKS_PER_NOTICE).map((p) => p.messageId),
          intervalMs: this.config.noticeIntervalMs,
          now: now.toISOString(),
        },
        systemMetadata({ account: doc.account, tenant: doc.tenant }, { type: 'system', id: this.slots.claimant }, now),
      );
      return { claimed: openClaimOf(decision.state, this.slots.claimant) ?? [], sent: new Set(decision.state.sent) };
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

  private async recipientOf(doc: BlockNoticeDocument): Promise<string | null> {
    const partner = await this.partnerOf(doc);
    const station = partner?.stationId ? await this.registry.stations.get(partner.stationId) : null;
    if (station && !station.deleted && station.tenant === doc.tenant && station.notificationEmail) return station.notificationEmail;
    const tenant = doc.tenant ? await this.registry.tenants.get(knownTenantIdOf(doc.account, doc.tenant)) : null;
    return tenant?.notificationEmail ?? this.config.defaultNoticeEmail;
  }

  private async mailOf(doc: BlockNoticeDocument, to: string, listed: BlockNoticeDocument['pending'], following: number) {
    const partner = await this.partnerOf(doc);
    const name = partner ? `${partner.name} (${partner.as2Id})` : doc.partnerId;
    return blockNoticeMail({ from: this.config.noticeFrom, to, partner: name, partnerId: doc.partnerId, tenant: doc.tenant, listed, following });
  }
}
