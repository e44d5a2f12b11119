import type { ServerResponse } from 'node:http';

/** How long background work waits at most for the requests being answered before it takes one more slice anyway. */
export const GIVE_WAY_MAX_MS = 50;
/** Requests are counted for this long after background work last asked to give way (counting costs each request a listener). */
const WATCH_MS = 1_000;

/** Resolves on a later turn of the event loop (after the I/O already queued). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The HTTP requests the server is answering, for background work that gives way to them (the traffic directory's refill,
 * the partner details' walk): a request that arrives while such work runs waits behind one of its slices at most, not
 * behind all of them. Requests are counted only while some work has recently asked (`giveWay`), so a process with no
 * background work pays nothing per request. In-process requests (`inject`) never reach the server and are not counted.
 */
export class RequestsInFlight {
  private counted = 0;
  private watching = false;
  private askedAt = 0;
  private watchTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly waiting = new Set<() => void>();
  private readonly maxWaitMs: number;
  private readonly ended = (): void => {
    this.counted -= 1;
    if (this.counted === 0 && this.waiting.size > 0) for (const resume of [...this.waiting]) resume();
  };

  /** `maxWaitMs`: how long `giveWay` waits at most by default. */
  constructor(options: { readonly maxWaitMs?: number } = {}) {
    this.maxWaitMs = options.maxWaitMs ?? GIVE_WAY_MAX_MS;
  }

  /** The server's hook: counts the request until its response closes (finished or its socket gone), when watching. */
  began(response: ServerResponse): void {
    if (!this.watching) return;
    this.counted += 1;
    response.once('close', this.ended);
  }

  /** Requests being answered that began while counting. */
  get inFlight(): number {
    return this.counted;
  }

  /**
   * Resolves on a later turn of the event loop: at once when no counted request is being answered, else when none is
   * left or after `maxWaitMs`, whichever comes first (so the work always goes on, a slice at a time, under steady load).
   */
  giveWay(maxWaitMs = this.maxWaitMs): Promise<void> {
    this.watch();
    if (this.counted === 0) return nextTurn();
    return new Promise((resolve) => {
      const resume = (): void => {
        clearTimeout(timer);
        this.waiting.delete(resume);
        setImmediate(resolve);
      };
      const timer = setTimeout(resume, maxWaitMs);
      this.waiting.add(resume);
    });
  }

  private watch(): void {
    this.askedAt = performance.now();
    if (this.watching) return;
    this.watching = true;
    const check = (): void => {
      if (performance.now() - this.askedAt < WATCH_MS) {
        this.watchTimer = setTimeout(check, WATCH_MS);
        this.watchTimer.unref();
        return;
      }
      this.watching = false;
      this.watchTimer = null;
    };
    this.watchTimer = setTimeout(check, WATCH_MS);
    this.watchTimer.unref();
  }
}
