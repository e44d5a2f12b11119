import type { Clock } from '@as2-partners/kernel';
import type { OpenInfrastructure } from './infrastructure-connections';

export interface EventSourcingOptions {
  /** The adapters for the configured mode, given by the app's composition (the platform imports no adapter). */
  readonly openInfrastructure: OpenInfrastructure;
  /** Default: the system clock. Tests pass a fixed one. */
  readonly clock?: Clock;
  /** Default true. The rebuild command turns it off so projections only run its replay. */
  readonly startProjections?: boolean;
  /** Default true. Off for one-shot commands that must not publish. */
  readonly startOutboxRelays?: boolean;
  /** Default false. The rebuild command: the read models' positions are no reason to refuse the start (see OpenPurpose). */
  readonly rebuildsReadModels?: boolean;
  /** Kafka client id in distributed mode. Default `as2-partners`. */
  readonly kafkaClientId?: string;
}
