import { Injectable, Logger } from '@nestjs/common';

interface StartWork {
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

/**
 * Work a process begins once it is initialised (createHttpApp, before it listens), none of it awaited by the start:
 * a head start on what a request would otherwise wait for or do itself (a hub tenant's partner directory restored,
 * partners' bodies pre-joined). Never what makes an answer correct, so /health/ready does not wait for it: a request
 * that needs the work waits for it or does it itself. A process that is never started (the rebuild command) runs none.
 */
@Injectable()
export class AfterStart {
  private readonly logger = new Logger(AfterStart.name);
  private readonly work: StartWork[] = [];
  private begun = false;

  /** Runs `run` once the process has started (at once, on a later turn, when it already has). */
  register(name: string, run: () => Promise<void> | void): void {
    if (this.begun) this.schedule({ name, run });
    else this.work.push({ name, run });
  }

  /** Called once, when the app is initialised: each registered work begins on a later turn of the event loop. */
  begin(): void {
    if (this.begun) return;
    this.begun = true;
    for (const work of this.work.splice(0)) this.schedule(work);
  }

  private schedule(work: StartWork): void {
    setImmediate(() => {
      // A head start only: a failure leaves the work to the first request that needs it.
      Promise.resolve()
        .then(work.run)
        .catch((error: unknown) => this.logger.warn(`${work.name} after start failed: ${String(error)}`));
    });
  }
}
