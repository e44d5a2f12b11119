import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelDocument, type ReadModelStore } from '@as2-partners/kernel';
import { PartnerDetailsQuery } from './partner-details.query';
import { PartnerRegistryCollections } from './partner-view.document';
import { PartnerCertificateCollections } from '../partner-certificates/partner-certificate.documents';
import { MESSAGE_OUTCOMES_COLLECTION, type MessageOutcomeDocument } from '../message-stats/message-outcome.document';
import { PARTNER_TRAFFIC_COLLECTION, partnerIdOfTrafficDoc } from '../../reactions/traffic-control-events/partner-traffic.consumer';
import { CONNECTION_STATUS_COLLECTION, partnerIdOfStatusDoc } from '../../reactions/connection-tester-events/connection-status.consumer';

/** What a write may change: the bodies of one partner id, of one (account, tenant, AS2 id), or (null) any body. */
type Touched = (id: string | null, doc: ReadModelDocument | null) => string | null;

const byPartner = (partnerId: string): string => `p\u0000${partnerId}`;
const byAs2Id = (account: string, tenant: string, as2Id: string): string => `a\u0000${account}\u0000${tenant}\u0000${as2Id}`;
const partnerIdField = (doc: ReadModelDocument | null): string | null => {
  const partnerId = (doc as { partnerId?: unknown } | null)?.partnerId;
  return typeof partnerId === 'string' ? byPartner(partnerId) : null;
};

/**
 * Every collection PartnerDetailsQuery reads, and which bodies a write to it touches. A partner's documents carry its
 * id (an inherited partner's is its master's, the id the tenant reads it by); tenants and certificate statuses, and
 * deletions without the document, touch any body (rare writes).
 */
export const PARTNER_DETAILS_SOURCES: Readonly<Record<string, Touched>> = {
  [PartnerRegistryCollections.partnerViews]: (_id, doc) => partnerIdField(doc),
  [PartnerRegistryCollections.masterPartners]: (id, doc) => partnerIdField(doc) ?? (id === null ? null : byPartner(id)),
  [PartnerRegistryCollections.tenants]: () => null,
  [PartnerCertificateCollections.partnerCertificates]: (_id, doc) => partnerIdField(doc),
  [PartnerCertificateCollections.partnerSlots]: (id) => (id === null ? null : byPartner(id)),
  [PartnerCertificateCollections.certificateStatuses]: () => null,
  [MESSAGE_OUTCOMES_COLLECTION]: (_id, doc) => {
    const outcome = doc as MessageOutcomeDocument | null;
    return outcome ? byAs2Id(outcome.account, outcome.tenant, outcome.partnerAs2Id) : null;
  },
  [PARTNER_TRAFFIC_COLLECTION]: (id) => (id === null ? null : byPartner(partnerIdOfTrafficDoc(id))),
  [CONNECTION_STATUS_COLLECTION]: (id) => (id === null ? null : byPartner(partnerIdOfStatusDoc(id))),
};

/** Bodies kept at most (characters of JSON text, ~1.5 KB a partner): bounded memory at any number of partners. */
const MAX_KEPT_CHARS = 32 * 1024 * 1024;

interface Kept {
  readonly json: string;
  /** The index keys it is filed under (its partner id, its AS2 id in its tenant). */
  readonly touchedBy: readonly string[];
}

/**
 * GET /v1/partners/{id}'s body as JSON text, kept per (account, tenant, partner) until a write touches a document it
 * was joined from: a repeat read costs a map lookup and no read, parse or stringify. Kept only where the read store
 * tells this process every write (`watchWrites`: the embedded store); with MongoDB shared by replicas every read joins.
 * A body joined while any watched write happened is not kept (it may predate the write).
 */
@Injectable()
export class PartnerDetailsCache {
  private readonly kept = new Map<string, Kept>();
  /** Index key → keys of the bodies filed under it. */
  private readonly index = new Map<string, Set<string>>();
  private keptChars = 0;
  /** Watched writes so far: a join that saw this change keeps nothing. */
  private writes = 0;
  private readonly enabled: boolean;

  constructor(
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    @Inject(PartnerDetailsQuery) private readonly details: PartnerDetailsQuery,
  ) {
    this.enabled = store.watchWrites !== undefined;
    if (!store.watchWrites) return;
    for (const [collection, touched] of Object.entries(PARTNER_DETAILS_SOURCES)) {
      store.watchWrites(collection, (id, doc) => this.forget(touched(id, doc)));
    }
  }

  /** The body kept for this partner, without waiting; undefined when it must be joined. */
  current(account: string, tenant: string, id: string): string | undefined {
    return this.kept.get(keyOf(account, tenant, id))?.json;
  }

  /** The body as JSON text (kept for the next read where it may be); null when the tenant sees no such partner. */
  async json(account: string, tenant: string, id: string): Promise<string | null> {
    const writes = this.writes;
    const details = await this.details.detailsFor(account, tenant, id);
    if (details === null) return null;
    const json = JSON.stringify(details);
    if (this.enabled && writes === this.writes) {
      this.keep(keyOf(account, tenant, id), { json, touchedBy: [byPartner(details.data.id), byAs2Id(account, tenant, details.data.as2_id)] });
    }
    return json;
  }

  private forget(touched: string | null): void {
    this.writes += 1;
    if (this.kept.size === 0) return;
    if (touched === null) {
      this.kept.clear();
      this.index.clear();
      this.keptChars = 0;
      return;
    }
    const keys = this.index.get(touched);
    if (keys === undefined) return;
    for (const key of [...keys]) this.drop(key);
  }

  private keep(key: string, entry: Kept): void {
    this.drop(key);
    // The earliest kept leave first (a Map iterates in insertion order).
    while (this.keptChars + entry.json.length > MAX_KEPT_CHARS && this.kept.size > 0) this.drop(this.kept.keys().next().value as string);
    this.kept.set(key, entry);
    this.keptChars += entry.json.length;
    for (const by of entry.touchedBy) {
      let keys = this.index.get(by);
      if (!keys) this.index.set(by, (keys = new Set()));
      keys.add(key);
    }
  }

  private drop(key: string): void {
    const entry = this.kept.get(key);
    if (entry === undefined) return;
    this.kept.delete(key);
    this.keptChars -= entry.json.length;
    for (const by of entry.touchedBy) {
      const keys = this.index.get(by);
      keys?.delete(key);
      if (keys?.size === 0) this.index.delete(by);
    }
  }
}

const keyOf = (account: string, tenant: string, id: string): string => `${account}\u0000${tenant}\u0000${id}`;
