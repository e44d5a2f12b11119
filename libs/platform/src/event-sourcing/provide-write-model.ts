import { Logger, type BeforeApplicationShutdown, type Provider } from '@nestjs/common';
import { EVENT_STORE, WriteModel, type EventStore } from '@as2-partners/kernel';
import { INFRASTRUCTURE } from './event-sourcing.tokens';
import type { InfrastructureConnections } from './infrastructure-connections';

/** How long a stop may spend snapshotting the write model's folds before the store closes (a pod's grace period is 30 s). */
export const STOP_SNAPSHOT_BUDGET_MS = 5_000;

/**
 * Snapshots the write model's folds that moved since their last snapshot when the app stops (before the store closes),
 * so the first command on a long directory after the next start restores it instead of folding what this run appended.
 */
export class WriteModelSnapshotsOnStop implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WriteModel');

  constructor(
    private readonly writeModel: WriteModel,
    private readonly budgetMs = STOP_SNAPSHOT_BUDGET_MS,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const saved = await this.writeModel.saveSnapshots(Date.now() + this.budgetMs);
    if (saved.length > 0) this.logger.log(`saved the snapshots of ${saved.length} streams before stopping`);
  }
}

/** A service component's own write model (its folded-state cache never shared with another component), snapshotted on stop. */
export function provideWriteModel(): Provider[] {
  return [
    {
      provide: WriteModel,
      inject: [EVENT_STORE, INFRASTRUCTURE],
      useFactory: (store: EventStore, infrastructure: InfrastructureConnections) => new WriteModel(store, { refusal: infrastructure.decisionRefusal }),
    },
    { provide: WriteModelSnapshotsOnStop, inject: [WriteModel], useFactory: (writeModel: WriteModel) => new WriteModelSnapshotsOnStop(writeModel) },
  ];
}
