import { Injectable, Logger, Optional } from '@nestjs/common';
import { nextTurn, RequestsInFlight } from './requests-in-flight';

interface StartWork {
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

/**
 * Work a process begins once it is initialised (createHttpApp, before it listens), none of it awaited by the start:
 * a head start on what a request would otherwise wait for or do itself (the traffic directory refilled, a hub tenant's
 * partner directory restored, partners' bodies pre-joined). /health/ready does not wait for it: a request that needs
 * the work waits for it or does it itself, so no answer is wrong meanwhile. The works run one after another (`first` ones before the rest),
 * so the one a request may be waiting for does not share the process with a long background walk; each begins once the
 * requests being answered are (RequestsInFlight.giveWay: a create right after ready does not wait behind a schema
 * compile). A process that is never started (the rebuild command) runs none.
 */
@Injectable()
export class AfterStart {
  private readonly logger = new Logger(AfterStart.name);
  private readonly work: StartWork[] = [];
  /** How many of the queued works are `first` ones (they lead the queue, in the order they were registered). */
  private firsts = 0;
  private begun = false;
  private running = false;

  constructor(@Optional() private readonly requests?: RequestsInFlight) {}

  /**
   * Runs `run` once the process has started, after the works registered before it (`first`: before the others not
   * begun yet, after the `first` ones registered before it).
   */
  register(name: string, run: () => Promise<void> | void, options: { readonly first?: boolean } = {}): void {
    if (options.first) this.work.splice(this.firsts++, 0, { name, run });
    else this.work.push({ name, run });
    if (this.begun) this.next();
  }

  /** Called once, when the app is initialised: the registered works begin on a later turn of the event loop. */
  begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.next();
  }

  private next(): void {
    if (this.running) return;
    const work = this.work.shift();
    if (!work) return;
    if (this.firsts > 0) this.firsts -= 1;
    this.running = true;
    const turn = this.requests ? this.requests.giveWay() : nextTurn();
    void turn.then(() => {
      Promise.resolve()
        .then(work.run)
        // A head start only: a failure leaves the work to the first request that needs it.
        .catch((error: unknown) => this.logger.warn(`${work.name} after start failed: ${String(error)}`))
        .finally(() => {
          this.running = false;
          this.next();
        });
    });
  }
}
