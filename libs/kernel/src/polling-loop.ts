import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FollowerLogger } from './checkpointed-follower';

export interface PollingLoopOptions {
  /** One pass; the next one starts `intervalMs` after it settles, so passes never overlap. */
  readonly tick: () => Promise<unknown>;
  readonly intervalMs: number;
  /** Told when a pass fails; the loop goes on. */
  readonly onError: (error: unknown) => void;
}

/** A replica-unique id for a scheduler's actor (`prefix:host:pid:random`). */
export function schedulerInstanceId(prefix: string): string {
  return `${prefix}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * The schedulers' polling loop: runs a pass at once, then one pass `intervalMs` after the previous settled (never two
 * at a time in a process); `stop()` ends the loop and waits for a pass in flight. Exactly-once across replicas is the
 * pass's own job (expected revisions), not the loop's.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: PollingLoopOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const run = () => {
      if (this.stopped) return;
      this.ticking = this.options
        .tick()
        .catch((error) => this.options.onError(error))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(run, this.options.intervalMs);
        });
    };
    run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
  }
}

export interface PollingSchedulerOptions {
  readonly intervalMs: number;
  /** The actor id its events carry; default `schedulerInstanceId(prefix)`. */
  readonly instanceId?: string;
  readonly logger?: FollowerLogger;
}

/** A scheduler polling for what is due: subclasses write the pass (`tick`), this runs it on a `PollingLoop`. */
export abstract class PollingScheduler {
  readonly instanceId: string;
  private readonly loop: PollingLoop;

  protected constructor(options: PollingSchedulerOptions, identity: { readonly prefix: string; readonly label: string }) {
    this.instanceId = options.instanceId ?? schedulerInstanceId(identity.prefix);
    this.loop = new PollingLoop({
      tick: () => this.tick(),
      intervalMs: options.intervalMs,
      onError: (error) => options.logger?.error(`${identity.label} tick failed`, { error: String(error) }),
    });
  }

  /** One pass over what is due now; returns how many events this instance appended. */
  abstract tick(): Promise<number>;

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
