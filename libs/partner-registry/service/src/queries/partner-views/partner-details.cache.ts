import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelStore } from '@as2-partners/kernel';
import { PartnerDetailsQuery } from './partner-details.query';
import { PartnerRegistryCollections } from './partner-view.document';
import { PartnerCertificateCollections } from '../partner-certificates/partner-certificate.documents';
import { MESSAGE_OUTCOMES_COLLECTION } from '../message-stats/message-outcome.document';
import { PARTNER_TRAFFIC_COLLECTION } from '../../reactions/traffic-control-events/partner-traffic.consumer';
import { CONNECTION_STATUS_COLLECTION } from '../../reactions/connection-tester-events/connection-status.consumer';

/** Every collection PartnerDetailsQuery reads: a write to any of them may change a body. */
export const PARTNER_DETAILS_SOURCES: readonly string[] = [
  PartnerRegistryCollections.partnerViews,
  PartnerRegistryCollections.masterPartners,
  PartnerRegistryCollections.tenants,
  PartnerCertificateCollections.partnerCertificates,
  PartnerCertificateCollections.partnerSlots,
  PartnerCertificateCollections.certificateStatuses,
  MESSAGE_OUTCOMES_COLLECTION,
  PARTNER_TRAFFIC_COLLECTION,
  CONNECTION_STATUS_COLLECTION,
];

/** Bodies kept at most (characters of JSON text, ~1.5 KB a partner): bounded memory at any number of partners. */
const MAX_KEPT_CHARS = 24 * 1024 * 1024;

interface Kept {
  readonly json: string;
  readonly version: number;
}

/**
 * GET /v1/partners/{id}'s body as JSON text, kept per (account, tenant, partner) while none of the collections it was
 * joined from changed: a repeat read costs a map lookup and no parse or stringify. Kept only where the read store
 * says it sees every write (`changeVersion`: the embedded store); with MongoDB shared by replicas every read joins.
 * The version is taken before the join, so a write during it leaves the kept body stale-marked, never served.
 */
@Injectable()
export class PartnerDetailsCache {
  private readonly kept = new Map<string, Kept>();
  private keptChars = 0;
  private readonly version: (() => number) | null;

  constructor(
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    @Inject(PartnerDetailsQuery) private readonly details: PartnerDetailsQuery,
  ) {
    this.version = store.changeVersion ? () => (store.changeVersion as (c: readonly string[]) => number)(PARTNER_DETAILS_SOURCES) : null;
  }

  /** The body kept for this partner and still current, without waiting; undefined when it must be joined. */
  current(account: string, tenant: string, id: string): string | undefined {
    if (this.version === null) return undefined;
    const kept = this.kept.get(keyOf(account, tenant, id));
    return kept !== undefined && kept.version === this.version() ? kept.json : undefined;
  }

  /** The body as JSON text (kept for the next read where it may be); null when the tenant sees no such partner. */
  async json(account: string, tenant: string, id: string): Promise<string | null> {
    const version = this.version?.() ?? null;
    const details = await this.details.detailsFor(account, tenant, id);
    if (details === null) return null;
    const json = JSON.stringify(details);
    if (version !== null) this.keep(keyOf(account, tenant, id), { json, version });
    return json;
  }

  private keep(key: string, entry: Kept): void {
    const before = this.kept.get(key);
    if (before !== undefined) {
      this.keptChars -= before.json.length;
      this.kept.delete(key);
    }
    // The earliest kept leave first (a Map iterates in insertion order).
    while (this.keptChars + entry.json.length > MAX_KEPT_CHARS && this.kept.size > 0) {
      const [oldest, value] = this.kept.entries().next().value as [string, Kept];
      this.kept.delete(oldest);
      this.keptChars -= value.json.length;
    }
    this.kept.set(key, entry);
    this.keptChars += entry.json.length;
  }
}

const keyOf = (account: string, tenant: string, id: string): string => `${account}\u0000${tenant}\u0000${id}`;
