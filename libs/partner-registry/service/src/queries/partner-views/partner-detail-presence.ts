import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelDocument, type ReadModelStore } from '@as2-partners/kernel';
import { PresenceIndex, type PresenceKey } from './presence-index';
import { PARTNER_CERTIFICATE_INDEXES, PartnerCertificateCollections } from '../partner-certificates/partner-certificate.documents';
import { MESSAGE_OUTCOME_INDEXES, MESSAGE_OUTCOMES_COLLECTION, type MessageOutcomeDocument } from '../message-stats/message-outcome.document';
import { PARTNER_TRAFFIC_COLLECTION, partnerIdOfTrafficDoc } from '../../reactions/traffic-control-events/partner-traffic.consumer';
import { CONNECTION_STATUS_COLLECTION, partnerIdOfStatusDoc } from '../../reactions/connection-tester-events/connection-status.consumer';

/** The key of a partner's messages: the AS2 id messages name it by, within its tenant. */
export const messagesKeyOf = (account: string, tenant: string, partnerAs2Id: string): string => `${account}\u0000${tenant}\u0000${partnerAs2Id}`;

const byPartnerIdField: PresenceKey = (_id, doc) => (doc as unknown as { partnerId: string }).partnerId;

/** The joined parts of a partner's details that most partners lack, and how a document names its partner. */
const SOURCES = {
  certificates: [PartnerCertificateCollections.partnerCertificates, PARTNER_CERTIFICATE_INDEXES, byPartnerIdField],
  slots: [PartnerCertificateCollections.partnerSlots, [], (id: string) => id],
  messages: [MESSAGE_OUTCOMES_COLLECTION, MESSAGE_OUTCOME_INDEXES, (_id: string, doc: ReadModelDocument) => {
    const outcome = doc as MessageOutcomeDocument;
    return messagesKeyOf(outcome.account, outcome.tenant, outcome.partnerAs2Id);
  }],
  traffic: [PARTNER_TRAFFIC_COLLECTION, [], partnerIdOfTrafficDoc],
  connectionStatus: [CONNECTION_STATUS_COLLECTION, [], partnerIdOfStatusDoc],
} as const satisfies Record<string, readonly [string, readonly (readonly string[])[], PresenceKey]>;

export type DetailPart = keyof typeof SOURCES;

/**
 * Which partners have any certificate, slot record, message, traffic pause or connection test, so the first read of a
 * partner's details asks the store only for the parts it has (one read instead of about eight for most partners).
 * Kept only where the store reports every write (`watchWrites`: the embedded store); elsewhere every part is asked.
 */
@Injectable()
export class PartnerDetailPresence {
  private readonly indexes: Partial<Record<DetailPart, PresenceIndex>> = {};

  constructor(@Inject(READ_MODEL_STORE) store: ReadModelStore) {
    if (!store.watchWrites) return;
    for (const [part, [name, indexes, keyOf]] of Object.entries(SOURCES) as [DetailPart, (typeof SOURCES)[DetailPart]][]) {
      const index = new PresenceIndex(store.collection(name, indexes), keyOf);
      store.watchWrites(name, (id, doc) => index.write(id, doc));
      this.indexes[part] = index;
    }
  }

  /** Undefined once every part's index can answer; else a promise of that (the first read fills them). */
  ready(): Promise<unknown> | undefined {
    const filling = Object.values(this.indexes).flatMap((index) => index.ready() ?? []);
    return filling.length === 0 ? undefined : Promise.all(filling);
  }

  /** True only when no document of that part names the key (a partner id; messagesKeyOf for messages), as far as known now. */
  knownAbsent(part: DetailPart, key: string): boolean {
    return this.indexes[part]?.knownAbsent(key) ?? false;
  }
}
