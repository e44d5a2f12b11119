import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ReadModelCollection } from '@as2-partners/kernel';
import { followerLoggerOf } from '@as2-partners/platform';
import type { PartnerSlotsDocument } from '../../queries/certificate-views/certificate-view.document';
import type { KeyRolloverActivation } from './key-rollover-activation';
import type { PartnerScope } from './rollover-activation';
import type { KeyQueries } from '../../queries/key-views/key-queries';
import { ActivationScheduler, type ActivationSchedulerOptions, type DueActivations, type DueKeyRollovers } from './activation-scheduler';

/** Partners whose earliest pending activation is due, from the slots view (ISO-8601 UTC strings compare in time order). */
export function dueActivationsFrom(partnerSlots: ReadModelCollection<PartnerSlotsDocument>): DueActivations {
  return {
    duePartners: async (now, limit): Promise<PartnerScope[]> => {
      const page = await partnerSlots.find({ filter: { dueAt: { $ne: null, $lte: now.toISOString() } }, sort: { dueAt: 1, _id: 1 }, limit, withoutTotal: true });
      return page.items.map((doc) => ({ partnerId: doc._id, account: doc.account, tenant: doc.tenant }));
    },
  };
}

/** Aliases whose next key is due, and those whose previous key's overlap is over, from the key view. */
export function dueKeyRolloversFrom(keys: KeyQueries, activation: KeyRolloverActivation): DueKeyRollovers {
  return { dueAliases: (now, limit) => keys.dueRollovers(now, limit), dueRetirements: (now, limit) => keys.dueRetirements(now, limit), activation };
}

/** Runs the scheduler while the application runs. */
export class ActivationSchedulerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly scheduler: ActivationScheduler;

  constructor(options: Omit<ActivationSchedulerOptions, 'logger'>) {
    const logger = new Logger('ActivationScheduler');
    this.scheduler = new ActivationScheduler({
      ...options,
      logger: followerLoggerOf(logger),
    });
  }

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}
