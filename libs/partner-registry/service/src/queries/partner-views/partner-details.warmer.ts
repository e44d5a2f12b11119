import { Inject, Injectable, Logger } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { type BuiltDetails, PartnerDetailsCache } from './partner-details.cache';
import { PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH } from './partner-list.query';
import { PartnerRegistryCollections, type PartnerViewDocument } from './partner-view.document';

/** Longest turn of the event loop the warmer takes before it lets requests in. */
const SLICE_MS = 8;
/** Views read per page of the walk over every view. */
const PAGE = 256;
/** Written views waiting for their body at most; past it the warmer walks every view again instead. */
const MAX_PENDING = 50_000;

type TenantView = PartnerViewDocument & { readonly tenant: string };

/**
 * Builds, in the background, the body of every tenant's view into PartnerDetailsCache's texts on disk, so a partner's
 * first read finds it pre-joined: once after start (a walk over every view, in id order) and for each view written
 * since (a create, an update, a master's change fanned out to its tenants: queued, built a slice at a time, never in
 * the writing request). Other writes (certificates, messages, traffic, tests, masters, tenants) only make texts stale;
 * their next read joins and keeps. Runs only in the serving process (GetPartnerRoute starts it).
 */
@Injectable()
export class PartnerDetailsWarmer {
  private readonly logger = new Logger(PartnerDetailsWarmer.name);
  private readonly views: ReadModelCollection<PartnerViewDocument>;
  private readonly pending = new Map<string, TenantView>();
  /** The id after which the walk over every view goes on; null when no walk is due. */
  private walkFrom: string | null = null;
  private started = false;
  private scheduled = false;
  private running = false;
  private built = 0;
  private walkStarted = 0;

  constructor(
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    @Inject(PartnerDetailsCache) private readonly cache: PartnerDetailsCache,
  ) {
    this.views = store.collection(PartnerRegistryCollections.partnerViews, PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH);
    if (!cache.keepsTexts || !store.watchWrites) return;
    store.watchWrites(PartnerRegistryCollections.partnerViews, (id, doc) => this.written(id, doc as PartnerViewDocument | null));
  }

  /** Starts the walk over every view; a no-op where no texts are kept. */
  start(): void {
    if (!this.cache.keepsTexts || this.started) return;
    this.started = true;
    this.walk();
  }

  /** Resolves once nothing is queued and no walk is due (tests). */
  async idle(): Promise<void> {
    while (this.scheduled || this.running || this.pending.size > 0 || this.walkFrom !== null) await new Promise((resolve) => setImmediate(resolve));
  }

  private written(id: string | null, doc: PartnerViewDocument | null): void {
    if (!this.started) return;
    if (id === null) return this.walk();
    if (doc === null || doc.tenant === null) {
      this.pending.delete(id);
      return;
    }
    if (this.pending.size >= MAX_PENDING) return this.walk();
    this.pending.delete(id);
    this.pending.set(id, doc as TenantView);
    this.schedule();
  }

  private walk(): void {
    this.pending.clear();
    this.walkFrom = '';
    this.built = 0;
    this.walkStarted = performance.now();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.slice());
  }

  private async slice(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const built: BuiltDetails[] = [];
    try {
      const until = performance.now() + SLICE_MS;
      while (this.pending.size > 0 && performance.now() < until) {
        const [id, partner] = this.pending.entries().next().value as [string, TenantView];
        this.pending.delete(id);
        await this.build(partner, this.cache.stamp(), built);
      }
      while (this.walkFrom !== null && this.pending.size === 0 && performance.now() < until) {
        // Taken before the read: a write between the read and the build must make the body stale.
        const stamp = this.cache.stamp();
        const { items } = await this.views.find({ filter: { _id: { $gt: this.walkFrom } }, sort: { _id: 1 }, limit: PAGE, withoutTotal: true });
        for (const partner of items) if (partner.tenant !== null) await this.build(partner as TenantView, stamp, built);
        this.walkFrom = items.length === PAGE ? (items[items.length - 1] as PartnerViewDocument)._id : null;
        if (this.walkFrom === null) this.logger.log(`partner details: ${this.built} bodies built in ${((performance.now() - this.walkStarted) / 1000).toFixed(1)} s`);
      }
    } catch (error) {
      // The texts are a cache: a failure leaves reads joining, and the next write or start tries again.
      this.logger.warn(`partner details warm-up stopped: ${String(error)}`);
      this.pending.clear();
      this.walkFrom = null;
    } finally {
      this.cache.keepBuilt(built);
      this.running = false;
    }
    if (this.pending.size > 0 || this.walkFrom !== null) this.schedule();
  }

  private async build(partner: TenantView, stamp: number, into: BuiltDetails[]): Promise<void> {
    const body = this.cache.build(partner);
    const details = body instanceof Promise ? await body : body;
    into.push({ partner, json: JSON.stringify(details), stamp });
    this.built += 1;
  }
}
