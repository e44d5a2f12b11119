import type { InjectionToken, Provider } from '@nestjs/common';
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
  constructor(
    private readonly views: readonly PositionFollower[],
    private readonly published: PublicationBarrier,
  ) {}

  async reach(position: number | null): Promise<void> {
    if (position === null) return;
    await Promise.all([...this.views.map((view) => view.waitFor(position)), this.published.delivered(position)]);
  }

  async answer<T>(written: AfterWrite<T>): Promise<T> {
    await this.reach(written.position);
    return written.answer();
  }
}

/** For a service module's providers, beside providePublicationBarrier(service): its views by their injection tokens. */
export function provideWriteVisibility(service: string, views: readonly InjectionToken[]): Provider {
  return {
    provide: WriteVisibility,
    inject: [...views, publicationBarrierToken(service)],
    useFactory: (...resolved: unknown[]) => new WriteVisibility(resolved.slice(0, -1) as PositionFollower[], resolved.at(-1) as PublicationBarrier),
  };
}
