import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelDocument, type ReadModelStore } from '@as2-partners/kernel';
import { PartnerRegistryCollections } from './partner-view.document';
import { TaggedJsonTexts } from './tagged-json-texts';

/** Pages kept at most (characters of JSON text, ~15 K a page of 20): bounded memory at any number of tenants. */
const MAX_KEPT_CHARS = 16 * 1024 * 1024;

const listScope = (account: string, tenant: string | null): string => `l\u0000${account}\u0000${tenant ?? ''}`;
const accountScope = (account: string): string => `a\u0000${account}`;
const accountOf = (doc: ReadModelDocument | null): string | undefined => {
  const account = (doc as { account?: unknown } | null)?.account;
  return typeof account === 'string' ? account : undefined;
};

/**
 * The list routes' whole answers (a page of a tenant's partners or of the account's masters, as JSON text) per
 * (account, tenant, query), kept until the embedded store tells of a write that may change the list (`watchWrites`): a
 * partner view of that tenant, a master partner of that account (every tenant inherits it), any tenant (a tenant seen
 * for the first time stops reading the masters) or a deletion without the document. A repeated page (page 1 of a busy
 * tenant, a deep page, `?active=false`) is then a map lookup and a send. Nothing is kept where the store does not tell
 * every write (MongoDB shared by replicas), nor from a read made while any watched write happened.
 */
@Injectable()
export class PartnerListPagesCache {
  /** Pages filed under their list's (account, tenant) and their account. */
  private readonly kept = new TaggedJsonTexts(MAX_KEPT_CHARS);
  private writes = 0;
  private readonly enabled: boolean;

  constructor(@Inject(READ_MODEL_STORE) store: ReadModelStore) {
    this.enabled = store.watchWrites !== undefined;
    if (!store.watchWrites) return;
    store.watchWrites(PartnerRegistryCollections.partnerViews, (_id, doc) => {
      const account = accountOf(doc);
      const tenant = (doc as { tenant?: unknown } | null)?.tenant;
      this.forget(account === undefined || typeof tenant !== 'string' ? null : listScope(account, tenant));
    });
    store.watchWrites(PartnerRegistryCollections.masterPartners, (_id, doc) => {
      const account = accountOf(doc);
      this.forget(account === undefined ? null : accountScope(account));
    });
    store.watchWrites(PartnerRegistryCollections.tenants, () => this.forget(null));
  }

  /** A mark to pass to `keep`: a page read after it may be kept. */
  mark(): number {
    return this.writes;
  }

  current(key: string): string | undefined {
    return this.kept.get(key);
  }

  /** Keeps a page of (account, tenant)'s list (null: the masters) read after `mark`, unless a write came between. */
  keep(key: string, account: string, tenant: string | null, json: string, mark: number): void {
    if (!this.enabled || mark !== this.writes || json.length > MAX_KEPT_CHARS) return;
    this.kept.keep(key, json, [listScope(account, tenant), accountScope(account)]);
  }

  private forget(scope: string | null): void {
    this.writes += 1;
    if (this.kept.size === 0) return;
    if (scope === null) this.kept.clear();
    else this.kept.dropTagged(scope);
  }
}
