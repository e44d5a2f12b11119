import { Logger, type InjectionToken, type Provider } from '@nestjs/common';
import { INFRASTRUCTURE } from '../event-sourcing/event-sourcing.tokens';
import type { InfrastructureConnections } from '../event-sourcing/infrastructure-connections';
import { publicationBarrierToken, type PublicationBarrier } from '../event-sourcing/provide-outbox-relay';
import type { AfterWrite } from './after-write';

/** A read model fed from the event store, caught up to a position when `waitFor` resolves. */
export interface PositionFollower {
  waitFor(position: number, timeoutMs?: number): Promise<void>;
}

/**
 * Read-your-writes for one service: a write is visible once the service's own views have it and, in embedded mode,
 * its publication barrier says other services' in-process consumers have it too. Each service module provides one.
 */
export class WriteVisibility {
  /**
   * `viewsFailed`: why the views may not hold what their followers reached, or null (the embedded read store after a
   * failed commit: its followers' positions are past the documents it rolled back).
   */
  constructor(
    private readonly views: readonly PositionFollower[],
    private readonly published: PublicationBarrier,
    private readonly viewsFailed: () => Error | null = () => null,
  ) {}

  async reach(position: number | null): Promise<void> {
    if (position === null) return;
    await Promise.all([...this.views.map((view) => view.waitFor(position)), this.published.delivered(position)]);
  }

  async answer<T>(written: AfterWrite<T>): Promise<T> {
    await this.reach(written.position);
    const failed = this.viewsFailedAt(written.position);
    if (failed) throw failed;
    return written.answer();
  }

  /**
   * The answer once the write is visible or, when the views are late (a wait timed out, a store is down), the
   * decided answer with `visible: false`: the write is stored and will show, so it must not be reported as failed.
   */
  async settle<T>(written: AfterWrite<T>): Promise<Settled<T>> {
    try {
      await this.reach(written.position);
    } catch (error) {
      new Logger('ReadYourWrites').warn(`Answering before the views have position ${written.position}: ${error instanceof Error ? error.message : String(error)}`);
      if (written.decided) return { value: await written.decided(), visible: false };
      try {
        return { value: await written.answer(), visible: false };
      } catch {
        return { value: STORED_NOT_YET_VISIBLE as T, visible: false };
      }
    }
    // Reached, yet the views may have lost the write: their transaction failed after the followers took the event (a
    // full disk; the read store refuses writes until a restart re-applies them). Their answer would be a 404 for what
    // was just created, or a 200 showing the state before the change: the write is stored, so what was decided.
    let failed = this.viewsFailedAt(written.position);
    if (!failed) {
      try {
        const value = await written.answer();
        failed = this.viewsFailedAt(written.position);
        if (!failed) return { value, visible: true };
      } catch (error) {
        failed = this.viewsFailedAt(written.position);
        if (!failed && !written.decided) throw error;
        failed ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    new Logger('ReadYourWrites').warn(`Answering what was decided: the views lost the write at ${written.position}: ${failed.message}`);
    return { value: written.decided ? await written.decided() : (STORED_NOT_YET_VISIBLE as T), visible: false };
  }

  private viewsFailedAt(position: number | null): Error | null {
    return position === null ? null : this.viewsFailed();
  }

  /** A route's answer once its write is visible; stored but not yet in the views: 202 Accepted with the decided answer. */
  async respond<T>(written: AfterWrite<T>, response: StatusSettable): Promise<T> {
    const { value, visible } = await this.settle(written);
    if (!visible) response.status(202);
    return value;
  }
}

/** What a late write's answer needs of the response: its status (Fastify's reply). */
export interface StatusSettable {
  status(code: number): unknown;
}

export interface Settled<T> {
  readonly value: T;
  /** false: answered before the service's views had the write (the route answers 202). */
  readonly visible: boolean;
}

/** The body of a late write whose handler can say nothing without its view. */
export const STORED_NOT_YET_VISIBLE = { message: 'The change is stored; it will be visible shortly.' };

/** For a service module's providers, beside providePublicationBarrier(service): its views by their injection tokens. */
export function provideWriteVisibility(service: string, views: readonly InjectionToken[]): Provider {
  return {
    provide: WriteVisibility,
    inject: [...views, publicationBarrierToken(service), INFRASTRUCTURE],
    useFactory: (...resolved: unknown[]) => {
      const infrastructure = resolved.at(-1) as InfrastructureConnections;
      return new WriteVisibility(resolved.slice(0, -2) as PositionFollower[], resolved.at(-2) as PublicationBarrier, infrastructure.viewsRefusal);
    },
  };
}
