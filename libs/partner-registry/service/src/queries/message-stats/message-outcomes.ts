import { Inject, Injectable } from '@nestjs/common';
import { KeyedMutex, READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { DELETED_TENANTS, type DeletedTenants } from '@as2-partners/platform';
import { PartnershipResolver } from '../exchange-views/partnership-resolver';
import {
  MESSAGE_OUTCOME_INDEXES,
  MESSAGE_OUTCOMES_COLLECTION,
  type MessageOutcome,
  type MessageOutcomeDocument,
  messageOutcomeIdOf,
  occurredAtMicrosOf,
  STATUS_RANK,
} from './message-outcome.document';

export interface RecordedOutcomes {
  /** Records that changed what is known of their message. */
  readonly applied: number;
  /** Repeats, records older than what is known and records of a deleted tenant: nothing changed. */
  readonly ignored: number;
}

type Ordered = Pick<MessageOutcome, 'occurredAt' | 'occurredAtMicros' | 'status'>;


/**
 * Whether `next` is newer news about a message than `current`: later (to the microsecond), or as late and further on
 * (final beats in flight); two final outcomes at the same instant are ordered by their names, so whichever arrives
 * first the message ends the same.
 */
export function supersedes(next: Ordered, current: Ordered): boolean {
  const at = occurredAtMicrosOf(next) - occurredAtMicrosOf(current);
  if (at !== 0) return at > 0;
  const rank = STATUS_RANK[next.status] - STATUS_RANK[current.status];
  if (rank !== 0) return rank > 0;
  return next.status > current.status;
}

/** How long one batch's records are applied before the event loop gets a turn for other requests. */
const RECORD_SLICE_MS = 10;

/**
 * The gateway's message outcomes, one document per message: idempotent by message id (a repeat changes nothing)
 * and tolerant of any order (a record older than the stored one is ignored), so redelivery and replays are safe.
 */
@Injectable()
export class MessageOutcomes {
  private readonly outcomes: ReadModelCollection<MessageOutcomeDocument>;
  /**
   * One message's records one at a time: each reads the stored outcome, decides and writes, with awaits between, so two
   * batches naming the same message at once (the gateway's route, the topic's consumer) could else write an older
   * outcome over a newer one. Across processes the topic is keyed by message id: one partition, one consumer, in order.
   */
  private readonly messages = new KeyedMutex();

  constructor(
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(DELETED_TENANTS) private readonly deletedTenants: DeletedTenants,
    @Inject(PartnershipResolver) private readonly resolver: PartnershipResolver,
  ) {
    this.outcomes = readModels.collection(MESSAGE_OUTCOMES_COLLECTION, MESSAGE_OUTCOME_INDEXES);
  }

  async record(batch: readonly MessageOutcome[]): Promise<RecordedOutcomes> {
    let applied = 0;
    // The embedded store answers without waiting, so a batch of 1,000 ran as one task (~225 ms without a turn for any
    // other request): it gives the event loop a turn once a slice of it has run.
    let sliceStart = performance.now();
    for (const outcome of batch) {
      if (performance.now() - sliceStart >= RECORD_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      // A deleted tenant's data is closed: a record the gateway still sends for it (an account-level token may) changes nothing.
      if (await this.deletedTenants.isDeleted(outcome.account, outcome.tenant)) continue;
      const id = messageOutcomeIdOf(outcome.account, outcome.tenant, outcome.messageId);
      if (await this.messages.run(id, () => this.apply(id, outcome))) applied += 1;
    }
    return { applied, ignored: batch.length - applied };
  }

  /** Resolves once the records stored so far are committed, at the end of this turn (at once for a store that commits each write). */
  async committed(): Promise<void> {
    await this.readModels.committed?.({ soon: true });
  }

  /** Stores the record when it is newer news of its message than what is stored; true when it did. */
  private async apply(id: string, outcome: MessageOutcome): Promise<boolean> {
    const current = await this.outcomes.get(id);
    if (current && !supersedes(outcome, current)) return false;
    const partnerAs2Id = outcome.direction === 'outbound' ? outcome.as2To : outcome.as2From;
    // Moved to another partner: the one it leaves is named too, so what was kept of its stats is dropped.
    const moved = current !== null && current.partnerAs2Id !== partnerAs2Id;
    const movedFrom = moved ? { movedFrom: current.partnerAs2Id } : {};
    // Counted for the partner it was first counted for while it keeps its AS2 id, so a later record does not move it.
    const partnerId = current && !moved && current.partnerId !== undefined ? current.partnerId : await this.partnerIdOf(outcome, partnerAs2Id);
    await this.outcomes.put({ _id: id, ...outcome, partnerAs2Id, partnerId, ...movedFrom });
    return true;
  }

  /** The partner the message counts for; '' when the tenant has none with that AS2 id (it counts for none). */
  private async partnerIdOf(outcome: MessageOutcome, partnerAs2Id: string): Promise<string> {
    const ours = outcome.direction === 'outbound' ? outcome.as2From : outcome.as2To;
    return (await this.resolver.partnerOfMessage(outcome.account, outcome.tenant, outcome.direction, ours, partnerAs2Id))?.partnerId ?? '';
  }
}
