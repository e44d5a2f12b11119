/** A first-in first-out list whose take is O(1) (Array#shift is O(n): a tenant may queue thousands of runs). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

interface Entry<T> {
  readonly key: string;
  job: T;
  readonly settled: Promise<boolean>;
  readonly resolve: (ran: boolean) => void;
}

interface TenantLane<T> {
  readonly waiting: Fifo<Entry<T>>;
  running: number;
  /** In the round-robin of tenants that may start one more run. */
  ready: boolean;
}

/**
 * Monitoring runs waiting for a place: at most `perTenant` of a tenant's at once and `overall` in all, the tenants
 * served in turn so one tenant's long queue never starves another's. One entry per monitor: a newer slot replaces the
 * job of one still waiting (a run late by a whole interval runs for its newest slot, not for each one it missed).
 */
export class MonitoringQueue<T> {
  private readonly lanes = new Map<string, TenantLane<T>>();
  private readonly waiting = new Map<string, Entry<T>>();
  private readonly readyTenants = new Fifo<string>();
  /** The runs started and not finished (their number is what `overall` bounds). */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly perTenant: number,
    private readonly overall: number,
    private readonly start: (job: T) => Promise<boolean>,
  ) {}

  /** Queues a run (or gives a waiting one of the same key this newer job); settles with whether it ran. */
  add(key: string, tenant: string, job: T): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const queued = this.waiting.get(key);
    if (queued) {
      queued.job = job;
      return queued.settled;
    }
    let resolve!: (ran: boolean) => void;
    const settled = new Promise<boolean>((r) => (resolve = r));
    const entry: Entry<T> = { key, job, settled, resolve };
    this.waiting.set(key, entry);
    let lane = this.lanes.get(tenant);
    if (!lane) {
      lane = { waiting: new Fifo(), running: 0, ready: false };
      this.lanes.set(tenant, lane);
    }
    lane.waiting.push(entry);
    this.markReady(tenant, lane);
    this.pump();
    return settled;
  }

  /** Starts nothing more; waiting runs settle as not run, and this resolves once the running ones finished. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.waiting.values()) entry.resolve(false);
    this.waiting.clear();
    this.lanes.clear();
    await Promise.all([...this.inFlight]);
  }

  private markReady(tenant: string, lane: TenantLane<T>): void {
    if (lane.ready || lane.waiting.size === 0 || lane.running >= this.perTenant) return;
    lane.ready = true;
    this.readyTenants.push(tenant);
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.overall) {
      const tenant = this.readyTenants.take();
      if (tenant === undefined) return;
      const lane = this.lanes.get(tenant);
      if (!lane) continue;
      lane.ready = false;
      const entry = lane.waiting.take();
      if (!entry) continue;
      this.waiting.delete(entry.key);
      lane.running++;
      // Back at the end of the round: the other tenants' next runs start before this one's
      this.markReady(tenant, lane);
      const run = this.start(entry.job).then(
        (ran) => ran,
        () => false,
      );
      this.inFlight.add(run);
      void run.then((ran) => {
        this.inFlight.delete(run);
        lane.running--;
        entry.resolve(ran);
        if (lane.running === 0 && lane.waiting.size === 0) this.lanes.delete(tenant);
        else this.markReady(tenant, lane);
        this.pump();
      });
    }
  }
}
