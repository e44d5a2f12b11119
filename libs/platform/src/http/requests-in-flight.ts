import type { ServerResponse } from 'node:http';
import { nextTurnOfLoop } from '@as2-partners/kernel';

/**
 * How long background work waits at most for the requests being answered before it takes one more slice anyway: longer
 * than a first create after a restart (100–150 ms with its cold code; at 50 ms the traffic refill's pages cut into it).
 */
export const GIVE_WAY_MAX_MS = 250;
/** Requests are counted for this long after background work last asked to give way (counting costs each request a listener). */
const WATCH_MS = 1_000;

/**
 * The HTTP requests the server is answering, for background work that gives way to them (the traffic directory's refill,
 * the partner details' walk): a request that arrives while such work runs waits behind one of its slices at most, not
 * behind all of them. Requests are counted only while some work has recently asked (`giveWay`), so a process with no
 * background work pays nothing per request. In-process requests (`inject`) never reach the server and are not counted.
 */
export class RequestsInFlight {
  /** The responses being answered that began while counting. */
  private readonly open = new Set<ServerResponse>();
  private watching = false;
  private askedAt = 0;
  private watchTimer: ReturnType<typeof setTimeout> | null = null;
  /** Each waiting work's requests still open (those in flight when it asked), and how it resumes. */
  private readonly waiting = new Map<Set<ServerResponse>, () => void>();
  private readonly maxWaitMs: number;
  /** When the last counted request was answered (performance.now()), or 0. */
  private lastEndedAt = 0;

  /** `maxWaitMs`: how long `giveWay` waits at most by default. */
  constructor(options: { readonly maxWaitMs?: number } = {}) {
    this.maxWaitMs = options.maxWaitMs ?? GIVE_WAY_MAX_MS;
  }

  /** The server's hook: counts the request until its response closes (finished or its socket gone), when watching. */
  began(response: ServerResponse): void {
    if (!this.watching) return;
    this.open.add(response);
    response.once('close', () => this.ended(response));
  }

  /** Requests being answered that began while counting. */
  get inFlight(): number {
    return this.open.size;
  }

  /**
   * Resolves on a later turn of the event loop: the next one when no counted request is being answered now or then,
   * else when those being answered are (requests that begin later do not hold it longer, so under steady load the work
   * goes on once per request's answer) or after `maxWaitMs`, whichever comes first.
   */
  giveWay(maxWaitMs = this.maxWaitMs): Promise<void> {
    this.watch();
    if (this.open.size > 0) return this.waitFor(new Set(this.open), maxWaitMs);
    // None open now, but one may begin before the turn comes (its headers read in the loop's poll phase, the turn in
    // the check phase after it): the work would then cut into that request's first turns. So those open at the turn
    // are waited for too, once (under steady load the work still goes on after one answer).
    return nextTurnOfLoop().then(() => (this.open.size === 0 ? undefined : this.waitFor(new Set(this.open), maxWaitMs)));
  }

  /** Resolves on a later turn once every request of `pending` is answered, or after `maxWaitMs`. */
  private waitFor(pending: Set<ServerResponse>, maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = (): void => {
        clearTimeout(timer);
        this.waiting.delete(pending);
        setImmediate(resolve);
      };
      const timer = setTimeout(resume, maxWaitMs);
      this.waiting.set(pending, resume);
    });
  }

  /**
   * Resolves once no counted request has been open for `quietMs` (counting from this call: requests that begin
   * meanwhile hold it too), or after `maxWaitMs` under steady load, whichever comes first; on a later turn of the event
   * loop either way. For work that should not begin beside the first requests after a restart at all.
   */
  whenQuiet(quietMs: number, maxWaitMs: number): Promise<void> {
    this.watch();
    const asked = performance.now();
    return new Promise((resolve) => {
      const check = (): void => {
        // Keeps the requests counted while it waits (they are counted only while some work asks).
        this.watch();
        const now = performance.now();
        const quietFor = now - Math.max(asked, this.lastEndedAt);
        if (now - asked >= maxWaitMs || (this.open.size === 0 && quietFor >= quietMs)) {
          setImmediate(resolve);
          return;
        }
        const untilQuiet = this.open.size === 0 ? quietMs - quietFor : quietMs;
        setTimeout(check, Math.max(1, Math.min(untilQuiet, maxWaitMs - (now - asked)))).unref();
      };
      check();
    });
  }

  private ended(response: ServerResponse): void {
    if (!this.open.delete(response)) return;
    this.lastEndedAt = performance.now();
    for (const [pending, resume] of [...this.waiting]) if (pending.delete(response) && pending.size === 0) resume();
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
