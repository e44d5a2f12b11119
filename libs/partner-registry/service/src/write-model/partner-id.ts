import { commandEntityId } from '@as2-partners/kernel';
import { monotonicFactory } from 'ulid';
import { pooledRandom } from './pooled-random';

const nextUlid = monotonicFactory(pooledRandom());

/**
 * `prt_` + a ULID: unique, and sortable by creation time; or, for a create with a command id (Idempotency-Key), named
 * from it, so its retry after a crash finds the partner (and the AS2-id reservation) the first attempt made.
 */
export function newPartnerId(commandId?: string): string {
  return commandId === undefined ? `prt_${nextUlid()}` : commandEntityId('prt', commandId);
}
