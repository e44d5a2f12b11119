import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { RequestsInFlight } from '@as2-partners/platform';
import { type BuiltDetails, PartnerDetailsCache } from './partner-details.cache';
import { PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH } from './partner-list.query';
import { PartnerRegistryCollections, type PartnerViewDocument } from './partner-view.document';

/** Longest turn of the event loop the warmer takes before it lets requests in. */
const SLICE_MS = 8;
/** Views read per page of the walk over every view. */
const PAGE = 256;
/**
 * Written views waiting for their body at most (each held as written: ~2 KB); past it the warmer walks every view again
 * instead, which finds them by their stale texts.
 */
const MAX_PENDING = 10_000;
/**
 * How long a slice waits at most for a moment with no request being answered before it is taken anyway: under steady
 * load (creates from 16 clients) the warmer then takes ~3 % of the event loop, whether it walks every view or builds
 * the written ones.
 */
const MAX_WAIT_MS = 250;
/** How long no request must have been answered before the next slice. */
const QUIET_MS = 2;
/** Bodies carried over from an earlier run rebuilt and compared at start before any is served. */
const CHECKED_SAMPLE = 32;

type TenantView = PartnerViewDocument & { readonly tenant: string };

/**
 * Builds, in the background, the body of every tenant's view into PartnerDetailsCache's texts on disk, so a partner's
 * first read finds it pre-joined: once after start (a walk over every view, in id order, building only the bodies not
 * on disk and fresh: after a clean stop most are carried over, and a sample of those is first rebuilt and compared,
 * every carried body made stale if one differs) and for each view written since (a create, an update, a master's
 * change fanned out to its tenants: queued, built a slice at a time when no request is being answered, never in the
 * writing request). Other writes (certificates, messages, traffic, tests, masters, tenants) only make texts stale;
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
  /** Carried bodies rebuilt and found equal so far (the check at start). */
  private checked = 0;
  /** A carried body differed: the walk starts again from the first view, building every body. */
  private walkAgain = false;

  constructor(
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    @Inject(PartnerDetailsCache) private readonly cache: PartnerDetailsCache,
    @Optional() private readonly requests?: RequestsInFlight,
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

  /** The last walk over every view: bodies it built, and carried bodies it rebuilt to check them (tests, the log). */
  get walked(): { readonly built: number; readonly checked: number } {
    return { built: this.built, checked: this.checked };
  }

  /**
   * Resolves once the walk has begun (after the start: `AfterStart`) and nothing is queued and no walk is due (tests;
   * where texts are kept, a warmer never started never resolves).
   */
  async idle(): Promise<void> {
    while (this.cache.keepsTexts && !this.started) await new Promise((resolve) => setTimeout(resolve, 5));
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

  /**
   * The next slice, written views' bodies first, then the walk over every view (after a start, a rebuild): only when no
   * request is being answered, or once per MAX_WAIT_MS under steady load. The bodies are a cache a read joins without:
   * a burst of creates is not slowed by building the bodies of what it wrote, which are built in the quiet after it
   * (or, past MAX_PENDING, by a walk).
   */
  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    if (!this.requests) setImmediate(() => void this.slice());
    else void this.requests.whenQuiet(QUIET_MS, MAX_WAIT_MS).then(() => this.slice());
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
        const last = await this.walkPage(this.walkFrom, stamp, built, until);
        this.walkFrom = this.walkAgain ? '' : last;
        this.walkAgain = false;
        if (this.walkFrom === null) {
          this.logger.log(`partner details: ${this.built} bodies built (${this.checked} carried over checked) in ${((performance.now() - this.walkStarted) / 1000).toFixed(1)} s`);
          if (this.cache.checkingCarried) this.cache.carriedChecked(true);
        }
      }
    } catch (error) {
      // The texts are a cache: a failure leaves reads joining, and the next write or start tries again.
      this.logger.warn(`partner details warm-up stopped: ${String(error)}`);
      this.pending.clear();
      this.walkFrom = null;
    } finally {
      try {
        this.cache.keepBuilt(built);
      } catch (error) {
        // Kept on disk (a full disk, a read-only file): as above, a cache that misses; never a crash of the process.
        this.logger.warn(`partner details not kept: ${String(error)}`);
      }
      this.running = false;
    }
    if (this.pending.size > 0 || this.walkFrom !== null) this.schedule();
  }

  /**
   * Builds the page's bodies not on disk and fresh, until `until` (performance.now()): the last id walked, or null at
   * the end. A page stopped at `until` is taken up after its last id walked by the next slice, so a slice takes
   * SLICE_MS and one body more at most, not a whole page (256 bodies: 20–90 ms at 200,000 partners).
   */
  private async walkPage(after: string, stamp: number, built: BuiltDetails[], until: number): Promise<string | null> {
    if (!this.views.ids) {
      const { items } = await this.views.find({ filter: { _id: { $gt: after } }, sort: { _id: 1 }, limit: PAGE, withoutTotal: true });
      const stoppedAt = await this.buildAll(items, stamp, built, until);
      if (stoppedAt !== null) return stoppedAt;
      return items.length === PAGE ? (items[items.length - 1] as PartnerViewDocument)._id : null;
    }
    // The ids and which bodies are fresh come from indexes alone: a carried-over body costs no read of its view.
    const ids = await this.views.ids(after, PAGE);
    if (ids.length === 0) return null;
    const fresh = this.cache.freshAmong(ids);
    if (!fresh.includes(true)) {
      const { items } = await this.views.find({ filter: { _id: { $gt: after } }, sort: { _id: 1 }, limit: ids.length, withoutTotal: true });
      const stoppedAt = await this.buildAll(items, stamp, built, until);
      if (stoppedAt !== null) return stoppedAt;
    } else {
      for (const [index, id] of ids.entries()) {
        if (this.walkAgain) return null;
        if (fresh[index] && !this.cache.checkingCarried) continue;
        const partner = await this.views.get(id);
        if (partner !== null && partner.tenant !== null) {
          if (fresh[index]) await this.check(partner as TenantView);
          else await this.build(partner as TenantView, stamp, built);
        }
        if (index < ids.length - 1 && performance.now() >= until) return id;
      }
    }
    return ids.length === PAGE ? (ids[ids.length - 1] as string) : null;
  }

  /** Builds the views' bodies in order until `until`: the id of the last one built when it stopped before the end, else null. */
  private async buildAll(views: readonly PartnerViewDocument[], stamp: number, built: BuiltDetails[], until: number): Promise<string | null> {
    for (const [index, partner] of views.entries()) {
      if (partner.tenant !== null) await this.build(partner as TenantView, stamp, built);
      if (index < views.length - 1 && performance.now() >= until) return partner._id;
    }
    return null;
  }

  /** Rebuilds a carried body and compares: a difference means other code built them, and every carried body goes stale. */
  private async check(partner: TenantView): Promise<void> {
    const carried = this.cache.keptText(partner._id);
    const body = this.cache.build(partner);
    const json = JSON.stringify(body instanceof Promise ? await body : body);
    if (carried !== undefined && carried !== json) {
      this.logger.log('partner details: bodies kept by an earlier run differ from this code, rebuilding every one');
      this.cache.carriedChecked(false);
      this.walkAgain = true;
      return;
    }
    this.checked += 1;
    if (this.checked >= CHECKED_SAMPLE) this.cache.carriedChecked(true);
  }

  private async build(partner: TenantView, stamp: number, into: BuiltDetails[]): Promise<void> {
    const body = this.cache.build(partner);
    const details = body instanceof Promise ? await body : body;
    into.push({ partner, json: JSON.stringify(details), stamp });
    this.built += 1;
  }
}
