import { KeyedMutex, type ReadModelCollection, type RecordedEvent } from '@as2-partners/kernel';
import type { OutboundBlocked } from '@as2-partners/traffic-control-domain';
import type { TrafficControlConfig } from '../../config/traffic-control.config';
import type { RegistryFactsConsumer } from '../partner-registry-events/registry-facts.consumer';
import { knownTenantIdOf } from '../partner-registry-events/known-registry.documents';
import { blockNoticeIdOf, type BlockNoticeDocument } from './block-notice.document';
import type { NoticeTransport } from './notice-mail-transport';

const SENT_IDS_KEPT = 2000;
const MAX_RETRY_DELAY_MS = 5 * 60_000;
const DUE_BATCH = 50;

/**
 * Groups blocked outbound messages into at most one e-mail per partner (and tenant) per interval, listing the
 * message ids, to the partner's station notification address, else the tenant's, else the configured default.
 * Pending blocks are documents, so a restart mails what was still waiting; a failed send is retried with backoff.
 * One process sends (the documents are updated under an in-process lock).
 */
export class BlockNotices {
  private readonly lock = new KeyedMutex();

  constructor(
    private readonly notices: ReadModelCollection<BlockNoticeDocument>,
    private readonly registry: RegistryFactsConsumer,
    private readonly transport: NoticeTransport,
    private readonly config: Pick<TrafficControlConfig, 'noticeFrom' | 'defaultNoticeEmail' | 'noticeIntervalMs' | 'noticeGatherMs'>,
    private readonly logger?: { warn(message: string): void; error(message: string): void },
  ) {}

  /** Adds a block to its partner's next notice (idempotent by event id). */
  async add(event: RecordedEvent): Promise<void> {
    const d = (event as unknown as OutboundBlocked).data;
    const id = blockNoticeIdOf(d.account, d.tenant, d.partnerId);
    await this.lock.run(id, async () => {
      const existing = await this.notices.get(id);
      if (existing && (existing.sentEventIds.includes(event.id) || existing.pending.some((p) => p.eventId === event.id))) return;
      const pending = [...(existing?.pending ?? []), { eventId: event.id, messageId: d.messageId, channel: d.channel, reason: d.reason, blockedAt: d.blockedAt }];
      const gathered = Date.parse(pending[0].blockedAt) + this.config.noticeGatherMs;
      const allowed = existing?.lastSentAt ? Date.parse(existing.lastSentAt) + this.config.noticeIntervalMs : 0;
      await this.notices.put({
        _id: id,
        account: d.account,
        tenant: d.tenant,
        partnerId: d.partnerId,
        pending,
        lastSentAt: existing?.lastSentAt ?? null,
        dueAt: existing?.dueAt && existing.attempts > 0 ? existing.dueAt : new Date(Math.max(gathered, allowed)).toISOString(),
        attempts: existing?.attempts ?? 0,
        lastError: existing?.lastError ?? null,
        sentEventIds: existing?.sentEventIds ?? [],
      });
    });
  }

  /** Sends every notice due at `now`; returns how many mails went out. */
  async sendDue(now: Date): Promise<number> {
    const due = await this.notices.find({ filter: { dueAt: { $ne: null, $lte: now.toISOString() } }, sort: { dueAt: 1 }, limit: DUE_BATCH });
    let sent = 0;
    for (const candidate of due.items) {
      await this.lock.run(candidate._id, async () => {
        const doc = await this.notices.get(candidate._id);
        if (!doc || doc.pending.length === 0 || doc.dueAt === null || doc.dueAt > now.toISOString()) return;
        const to = await this.recipientOf(doc);
        const listed = doc.pending;
        try {
          if (to === null) this.logger?.warn(`No notice address for partner ${doc.partnerId} (${doc._id}): ${listed.length} blocked message(s) not mailed`);
          else if (this.transport.enabled) {
            await this.transport.send(await this.mailOf(doc, to, listed));
            sent += 1;
          }
        } catch (error) {
          const attempts = doc.attempts + 1;
          const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(attempts, 10));
          this.logger?.warn(`Blocked-message notice for ${doc._id} failed (attempt ${attempts}), retrying in ${delay} ms: ${String(error)}`);
          await this.notices.put({ ...doc, attempts, lastError: String(error), dueAt: new Date(now.getTime() + delay).toISOString() });
          return;
        }
        const mailedIds = new Set(listed.map((p) => p.eventId));
        await this.notices.put({
          ...doc,
          pending: [],
          lastSentAt: now.toISOString(),
          dueAt: null,
          attempts: 0,
          lastError: null,
          sentEventIds: [...doc.sentEventIds, ...mailedIds].slice(-SENT_IDS_KEPT),
        });
      });
    }
    return sent;
  }

  private async recipientOf(doc: BlockNoticeDocument): Promise<string | null> {
    const partner = await this.registry.partners.get(doc.partnerId);
    const station = partner?.stationId ? await this.registry.stations.get(partner.stationId) : null;
    if (station && !station.deleted && station.notificationEmail) return station.notificationEmail;
    const tenant = doc.tenant ? await this.registry.tenants.get(knownTenantIdOf(doc.account, doc.tenant)) : null;
    return tenant?.notificationEmail ?? this.config.defaultNoticeEmail;
  }

  private async mailOf(doc: BlockNoticeDocument, to: string, listed: BlockNoticeDocument['pending']) {
    const partner = await this.registry.partners.get(doc.partnerId);
    const name = partner ? `${partner.name} (${partner.as2Id})` : doc.partnerId;
    const lines = listed.map((p) => `- ${p.messageId}  channel: ${p.channel ?? 'unspecified'}  blocked at: ${p.blockedAt}  (${p.reason})`);
    return {
      from: this.config.noticeFrom,
      to,
      subject: `Outbound traffic paused: ${listed.length} message(s) to ${name} were not sent`,
      text: [
        `Outbound traffic to the partner ${name} is paused, so these messages were not sent and their attachments were not kept:`,
        '',
        ...lines,
        '',
        'Send them again after the partner is resumed.',
        `Partner id: ${doc.partnerId}${doc.tenant ? `, tenant: ${doc.tenant}` : ''}`,
      ].join('\n'),
    };
  }
}
