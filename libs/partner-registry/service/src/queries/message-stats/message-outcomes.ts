import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { DELETED_TENANTS, type DeletedTenants } from '@as2-partners/platform';
import {
  MESSAGE_OUTCOME_INDEXES,
  MESSAGE_OUTCOMES_COLLECTION,
  type MessageOutcome,
  type MessageOutcomeDocument,
  messageOutcomeIdOf,
  STATUS_RANK,
} from './message-outcome.document';

export interface RecordedOutcomes {
  /** Records that changed what is known of their message. */
  readonly applied: number;
  /** Repeats, records older than what is known and records of a deleted tenant: nothing changed. */
  readonly ignored: number;
}

/** Whether `next` is newer news about a message than `current`: later, or as late and final. */
export function supersedes(next: Pick<MessageOutcome, 'occurredAt' | 'status'>, current: Pick<MessageOutcome, 'occurredAt' | 'status'>): boolean {
  const at = Date.parse(next.occurredAt) - Date.parse(current.occurredAt);
  if (at !== 0) return at > 0;
  return STATUS_RANK[next.status] > STATUS_RANK[current.status];
}

/**
 * The gateway's message outcomes, one document per message: idempotent by message id (a repeat changes nothing)
 * and tolerant of any order (a record older than the stored one is ignored), so redelivery and replays are safe.
 */
@Injectable()
export class MessageOutcomes {
  private readonly outcomes: ReadModelCollection<MessageOutcomeDocument>;

  constructor(
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(DELETED_TENANTS) private readonly deletedTenants: DeletedTenants,
  ) {
    this.outcomes = readModels.collection(MESSAGE_OUTCOMES_COLLECTION, MESSAGE_OUTCOME_INDEXES);
  }

  async record(batch: readonly MessageOutcome[]): Promise<RecordedOutcomes> {
    let applied = 0;
    for (const outcome of batch) {
      // A deleted tenant's data is closed: a record the gateway still sends for it (an account-level token may) changes nothing.
      if (await this.deletedTenants.isDeleted(outcome.account, outcome.tenant)) continue;
      const id = messageOutcomeIdOf(outcome.account, outcome.tenant, outcome.messageId);
      const current = await this.outcomes.get(id);
      if (current && !supersedes(outcome, current)) continue;
      await this.outcomes.put({ _id: id, ...outcome, partnerAs2Id: outcome.direction === 'outbound' ? outcome.as2To : outcome.as2From });
      applied += 1;
    }
    return { applied, ignored: batch.length - applied };
  }
}
