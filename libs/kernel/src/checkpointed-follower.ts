import { PositionWaiters } from './position-waiters';
import type { CheckpointStore } from './checkpoint-store.port';
import type { RecordedEvent } from './event-envelope';
import type { EventStore, Subscription } from './event-store.port';

export interface FollowerLogger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface CheckpointedFollowerOptions {
  /** Checkpoint name; one per projection, publisher or consumer. */
  readonly name: string;
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  /** Must be idempotent: after a crash, events since the last saved checkpoint are delivered again. */
  readonly handle: (event: RecordedEvent) => Promise<void>;
  /** Events the follower ignores (their position still advances the checkpoint). */
  readonly accepts?: (event: RecordedEvent) => boolean;
  /** Save the checkpoint after this many handled events (and on idle/stop). Default 100. */
  readonly checkpointEvery?: number;
  /** Retry delays for a failing handler: doubles from initial to max, forever (never skips an event). */
  readonly retryInitialDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  readonly logger?: FollowerLogger;
}

/**
 * Follows the event store from a stored checkpoint and hands every event to `handle`, in order.
 * A failing handler is retried with backoff and the position never moves past an unhandled event,
 * so nothing is lost; handlers are idempotent, so redelivery after a crash changes nothing.
 * `waitFor(position)` lets a writer wait until its own events are visible (read-your-writes).
 */
export class CheckpointedFollower {
  private subscription: Subscription | null = null;
  private processed: number | null = null;
  private saved: number | null = null;
  private sinceSave = 0;
  private idleSave: NodeJS.Timeout | null = null;
  private readonly waiters = new PositionWaiters();
  private stopping = false;

  constructor(private readonly options: CheckpointedFollowerOptions) {}

  get position(): number | null {
    return this.processed;
  }

  async start(): Promise<void> {
    const checkpoint = await this.options.checkpoints.load(this.options.name);
    this.processed = checkpoint;
    this.saved = checkpoint;
    this.stopping = false;
    this.subscription = this.options.store.subscribeToAll({
      after: checkpoint,
      onEvent: (event) => this.process(event),
      onError: (error) => this.options.logger?.error(`follower ${this.options.name} stopped`, { error: String(error) }),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.stop();
    this.subscription = null;
    if (this.idleSave) clearTimeout(this.idleSave);
    await this.saveCheckpoint();
  }

  /** Resolves when every event up to `position` has been handled; rejects after `timeoutMs`. */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    return this.waiters.waitFor(position, this.processed, timeoutMs, this.options.name);
  }

  private async process(event: RecordedEvent): Promise<void> {
    if (this.processed !== null && event.position <= this.processed) return;
    if (this.options.accepts?.(event) ?? true) await this.handleWithRetry(event);
    this.processed = event.position;
    this.waiters.release(this.processed ?? -1);
    this.sinceSave += 1;
    if (this.sinceSave >= (this.options.checkpointEvery ?? 100)) await this.saveCheckpoint();
    else this.scheduleIdleSave();
  }

  private async handleWithRetry(event: RecordedEvent): Promise<void> {
    let delay = this.options.retryInitialDelayMs ?? 50;
    const maxDelay = this.options.retryMaxDelayMs ?? 5000;
    for (;;) {
      try {
        await this.options.handle(event);
        return;
      } catch (error) {
        if (this.stopping) throw error;
        this.options.logger?.warn(`follower ${this.options.name} retries event`, {
          eventId: event.id,
          type: event.type,
          position: event.position,
          error: error instanceof Error ? error.message : String(error),
          retryInMs: delay,
        });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }

  private scheduleIdleSave(): void {
    if (this.idleSave) return;
    this.idleSave = setTimeout(() => {
      this.idleSave = null;
      void this.saveCheckpoint().catch((error) =>
        this.options.logger?.error(`follower ${this.options.name} could not save its checkpoint`, { error: String(error) }),
      );
    }, 200);
    this.idleSave.unref?.();
  }

  private async saveCheckpoint(): Promise<void> {
    if (this.processed === null || this.processed === this.saved) return;
    const position = this.processed;
    await this.options.checkpoints.save(this.options.name, position);
    this.saved = position;
    this.sinceSave = 0;
  }
}
