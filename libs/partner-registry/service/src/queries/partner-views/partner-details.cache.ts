import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type KeptTexts, READ_MODEL_STORE, type ReadModelDocument, type ReadModelStore } from '@as2-partners/kernel';
import { type PartnerDetails, PartnerDetailsQuery } from './partner-details.query';
import { PartnerRegistryCollections, type PartnerViewDocument, type TenantDocument, viewIdOf } from './partner-view.document';
import { PartnerCertificateCollections } from '../partner-certificates/partner-certificate.documents';
import { MESSAGE_OUTCOMES_COLLECTION, type MessageOutcomeDocument } from '../message-stats/message-outcome.document';
import { PARTNER_TRAFFIC_COLLECTION, partnerIdOfTrafficDoc } from '../../reactions/traffic-control-events/partner-traffic.consumer';
import { CONNECTION_STATUS_COLLECTION, partnerIdOfStatusDoc } from '../../reactions/connection-tester-events/connection-status.consumer';
import { TaggedJsonTexts } from './tagged-json-texts';
import * as detailsQuery from './partner-details.query';
import * as partnerPresenter from './partner.presenter';
import * as partnerQueries from './partner-queries';
import * as certificatePresenter from '../partner-certificates/partner-certificate.presenter';
import * as certificatesQuery from '../partner-certificates/partner-certificates.query';
import * as messageStats from '../message-stats/message-stats.query';
import * as trafficConsumer from '../../reactions/traffic-control-events/partner-traffic.consumer';
import * as statusConsumer from '../../reactions/connection-tester-events/connection-status.consumer';
import * as apiTimestamp from '../../api-conventions/api-timestamp';

const sourceOf = (value: unknown): string => {
  if (typeof value === 'function') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/** Raised by hand when a body changes in a way the code below does not show (its helpers elsewhere). */
const BODY_FORMAT = 1;

/**
 * The code that builds a body: the source of every class and function the join and presenters export, so texts kept by
 * a run of other code are not carried over (what this misses, the warmer's check of a sample at start catches).
 */
export const PARTNER_DETAILS_VERSION = createHash('sha256')
  .update(String(BODY_FORMAT))
  .update(
    [detailsQuery, partnerPresenter, partnerQueries, certificatePresenter, certificatesQuery, messageStats, trafficConsumer, statusConsumer, apiTimestamp]
      .flatMap((module) => Object.values(module as Record<string, unknown>))
      .map(sourceOf)
      .join('\u0000'),
  )
  .digest('hex')
  .slice(0, 32);

/** What a write may change: the bodies of one partner id, of one (account, tenant, AS2 id), of one tenant, or (null) any body. */
type Touched = (id: string | null, doc: ReadModelDocument | null) => string | null | readonly string[];

const byPartner = (partnerId: string): string => `p\u0000${partnerId}`;
const byAs2Id = (account: string, tenant: string, as2Id: string): string => `a\u0000${account}\u0000${tenant}\u0000${as2Id}`;
const byTenant = (account: string, tenant: string): string => `t\u0000${account}\u0000${tenant}`;
const partnerIdField = (doc: ReadModelDocument | null): string | null => {
  const partnerId = (doc as { partnerId?: unknown } | null)?.partnerId;
  return typeof partnerId === 'string' ? byPartner(partnerId) : null;
};

/** The partner id in a view's id (`account|tenant|partnerId`; partner ids hold no `|`). */
const partnerIdOfViewId = (id: string): string => id.slice(id.lastIndexOf('|') + 1);

/**
 * Every collection PartnerDetailsQuery reads, and which bodies a write to it touches. A partner's documents carry its
 * id (an inherited partner's is its master's, the id the tenant reads it by); a tenant's document its tenant's bodies
 * (known or not decides views or masters); certificate statuses and deletions of many touch any body (rare writes).
 */
export const PARTNER_DETAILS_SOURCES: Readonly<Record<string, Touched>> = {
  [PartnerRegistryCollections.partnerViews]: (id, doc) => partnerIdField(doc) ?? (id === null ? null : byPartner(partnerIdOfViewId(id))),
  [PartnerRegistryCollections.masterPartners]: (id, doc) => partnerIdField(doc) ?? (id === null ? null : byPartner(id)),
  [PartnerRegistryCollections.tenants]: (_id, doc) => {
    const tenant = doc as TenantDocument | null;
    return tenant ? byTenant(tenant.account, tenant.tenantId) : null;
  },
  [PartnerCertificateCollections.partnerCertificates]: (_id, doc) => partnerIdField(doc),
  [PartnerCertificateCollections.partnerSlots]: (id) => (id === null ? null : byPartner(id)),
  [PartnerCertificateCollections.certificateStatuses]: () => null,
  [MESSAGE_OUTCOMES_COLLECTION]: (_id, doc) => {
    const outcome = doc as MessageOutcomeDocument | null;
    if (!outcome) return null;
    const now = byAs2Id(outcome.account, outcome.tenant, outcome.partnerAs2Id);
    return outcome.movedFrom === undefined ? now : [now, byAs2Id(outcome.account, outcome.tenant, outcome.movedFrom)];
  },
  [PARTNER_TRAFFIC_COLLECTION]: (id) => (id === null ? null : byPartner(partnerIdOfTrafficDoc(id))),
  [CONNECTION_STATUS_COLLECTION]: (id) => (id === null ? null : byPartner(partnerIdOfStatusDoc(id))),
};

/** Bodies kept in memory at most (characters of JSON text, ~1.5 KB a partner): bounded memory at any number of partners. */
const MAX_KEPT_CHARS = 32 * 1024 * 1024;

/** The name of the texts kept on disk (KeptTexts): one body per (account, tenant, partner), under its view's id. */
export const PARTNER_DETAILS_TEXTS = 'partner_details';

/** A body built by the warmer, kept if nothing it was built from changed since `stamp`. */
export interface BuiltDetails {
  readonly partner: PartnerViewDocument;
  readonly json: string;
  readonly stamp: number;
}

/**
 * GET /v1/partners/{id}'s body as JSON text, kept per (account, tenant, partner) until a write touches a document it
 * was joined from: in memory for the bodies read lately (bounded), and on disk for every partner where the store keeps
 * texts (`keptTexts`: the embedded store's scratch file, filled in the background by PartnerDetailsWarmer), so a first
 * read is one keyed read of text, no join, parse or stringify. Kept only where the read store tells this process every
 * write (`watchWrites`: the embedded store); with MongoDB shared by replicas every read joins. A body joined while a
 * write it may predate happened is not kept.
 */
@Injectable()
export class PartnerDetailsCache {
  /** Bodies in memory, filed under what touches them. */
  private readonly kept = new TaggedJsonTexts(MAX_KEPT_CHARS);
  /** Watched writes so far: a join that saw this change keeps nothing in memory. */
  private writes = 0;
  private readonly enabled: boolean;
  /** The bodies on disk (lazy staleness: a write touches a tag or drops a view's text, KeptTexts). */
  private readonly texts: KeptTexts | null;
  /** Bodies on disk from an earlier run are not served until the warmer has checked a sample of them against this code. */
  private carriedUnchecked: boolean;
  /** The last body kept on disk failed (logged once until one is kept again). */
  private diskKeepFailing = false;
  private readonly logger = new Logger('PartnerDetailsCache');

  constructor(
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    @Inject(PartnerDetailsQuery) private readonly details: PartnerDetailsQuery,
  ) {
    this.enabled = store.watchWrites !== undefined;
    this.texts = store.watchWrites && store.keptTexts ? store.keptTexts(PARTNER_DETAILS_TEXTS, PARTNER_DETAILS_VERSION) : null;
    this.carriedUnchecked = this.texts?.carried ?? false;
    if (!store.watchWrites) return;
    for (const [collection, touched] of Object.entries(PARTNER_DETAILS_SOURCES)) {
      const isView = collection === PartnerRegistryCollections.partnerViews;
      store.watchWrites(collection, (id, doc) => {
        const touchedTags = touched(id, doc);
        for (const tag of Array.isArray(touchedTags) ? (touchedTags as readonly string[]) : [touchedTags as string | null]) {
          this.forget(tag);
          // A view is one (account, tenant, partner): its own text goes; other writes stale every text of their tag.
          if (this.texts && isView && id !== null) this.texts.drop(id);
          else this.texts?.touch(tag);
        }
      });
    }
  }

  /** True where bodies are kept on disk for every partner (the warmer has work). */
  get keepsTexts(): boolean {
    return this.texts !== null;
  }

  /** The body kept for this partner, without waiting; undefined when it must be joined. */
  current(account: string, tenant: string, id: string): string | undefined {
    const key = keyOf(account, tenant, id);
    const kept = this.kept.get(key);
    if (kept !== undefined || this.carriedUnchecked) return kept;
    const text = this.texts?.get(viewIdOf(account, tenant, id));
    if (text === undefined) return undefined;
    // Into memory only while it fits without pushing others out (reads spread over every partner would churn it).
    if (this.kept.fits(text.text.length)) this.kept.keep(key, text.text, text.tags);
    return text.text;
  }

  /** The body as JSON text (kept for the next read where it may be); null when the tenant sees no such partner. */
  async json(account: string, tenant: string, id: string): Promise<string | null> {
    const current = this.current(account, tenant, id);
    if (current !== undefined) return current;
    const writes = this.writes;
    const stamp = this.texts?.stamp() ?? 0;
    const details = await this.details.detailsFor(account, tenant, id);
    if (details === null) return null;
    const json = JSON.stringify(details);
    const touchedBy = tagsOf(account, tenant, details.data.id, details.data.as2_id);
    this.keepOnDisk(viewIdOf(account, tenant, id), json, touchedBy, stamp);
    if (this.enabled && writes === this.writes) this.kept.keep(keyOf(account, tenant, id), json, touchedBy);
    return json;
  }

  /**
   * Keeps a body read on disk for the next read, where it can: the texts are a cache, so a file that cannot be written
   * (disk full, read-only, failing) costs the next read a join, never this read its answer. Logged when it starts failing.
   */
  private keepOnDisk(viewId: string, json: string, tags: readonly string[], stamp: number): void {
    try {
      this.texts?.put(viewId, json, tags, stamp);
      this.diskKeepFailing = false;
    } catch (error) {
      if (!this.diskKeepFailing) this.logger.warn(`Partner bodies are not kept on disk for now (${error instanceof Error ? error.message : String(error)}): reads join them`);
      this.diskKeepFailing = true;
    }
  }

  /** True until the warmer has checked the bodies carried over from an earlier run (they are not served meanwhile). */
  get checkingCarried(): boolean {
    return this.carriedUnchecked;
  }

  /** Which of these views' bodies are on disk and fresh (not read). */
  freshAmong(viewIds: readonly string[]): boolean[] {
    return this.texts ? this.texts.freshAmong(viewIds) : viewIds.map(() => false);
  }

  /** The fresh body on disk under a view's id, checked or not (the warmer's check). */
  keptText(viewId: string): string | undefined {
    return this.texts?.get(viewId)?.text;
  }

  /** The warmer's verdict on the carried bodies: served from now on if they agree with this code, else every one stale. */
  carriedChecked(agree: boolean): void {
    if (!agree) this.texts?.touch(null);
    this.carriedUnchecked = false;
  }

  /** The stamp a built body is kept against (taken before reading what it is built from). */
  stamp(): number {
    return this.texts?.stamp() ?? 0;
  }

  /** The body of a tenant's view, without a read when the partner has none of the joined parts (else one join). */
  build(partner: PartnerViewDocument & { readonly tenant: string }): PartnerDetails | Promise<PartnerDetails> {
    return this.details.bareDetailsOf(partner) ?? this.details.detailsOf(partner.account, partner.tenant, partner);
  }

  /** Keeps bodies the warmer built (on disk, one transaction); a body something changed under since its stamp is not kept. */
  keepBuilt(built: readonly BuiltDetails[]): void {
    const texts = this.texts;
    if (!texts || built.length === 0) return;
    texts.batch(() => {
      for (const { partner, json, stamp } of built) {
        texts.put(partner._id, json, tagsOf(partner.account, partner.tenant as string, partner.partnerId, partner.as2Id), stamp);
      }
    });
  }

  private forget(touched: string | null): void {
    this.writes += 1;
    if (this.kept.size === 0) return;
    if (touched === null) this.kept.clear();
    else this.kept.dropTagged(touched);
  }
}

const keyOf = (account: string, tenant: string, id: string): string => `${account}\u0000${tenant}\u0000${id}`;
/** What a body is filed under: its partner id, its AS2 id in its tenant (message outcomes), its tenant. */
const tagsOf = (account: string, tenant: string, partnerId: string, as2Id: string): string[] => [byPartner(partnerId), byAs2Id(account, tenant, as2Id), byTenant(account, tenant)];
