import { DomainError } from '@as2-partners/kernel';
import { instantInMicroseconds } from '@as2-partners/platform';
import type { MessageOutcome } from '../../queries/message-stats/message-outcome.document';
import type { GatewayMessageRecordDto } from './gateway-message-record.dto';

const EVERY_ACCOUNT = '*';

/** Where a record may land: the token's account, and its tenant when it names one. */
export interface GatewayScope {
  readonly account: string;
  readonly tenant: string | null;
}

/** A validated record in the service's names, within the caller's scope; a record outside it is refused, never re-scoped. */
export function messageOutcomeOf(record: GatewayMessageRecordDto, scope: GatewayScope, index: number): MessageOutcome {
  // A JSON null names nothing (@IsOptional lets it through unchecked): never an account or tenant of its own.
  const namedAccount = record.account ?? undefined;
  const namedTenant = record.tenant ?? undefined;
  // A gateway token of every account names the account per record, as on the other gateway routes; never `*` itself.
  const everyAccount = scope.account === EVERY_ACCOUNT;
  if (everyAccount && (namedAccount === undefined || namedAccount === EVERY_ACCOUNT)) {
    throw new DomainError('ACCOUNT_REQUIRED', `events[${index}] names no account: a gateway token of every account must name it`, `events.${index}.account`);
  }
  if (!everyAccount && namedAccount !== undefined && namedAccount !== scope.account) {
    throw new DomainError('ACCOUNT_FORBIDDEN', `events[${index}] names another account`, `events.${index}.account`);
  }
  const account = everyAccount ? (namedAccount as string) : scope.account;
  const tenant = scope.tenant ?? namedTenant;
  if (tenant === undefined) throw new DomainError('TENANT_REQUIRED', `events[${index}] names no tenant`, `events.${index}.tenant`);
  if (namedTenant !== undefined && namedTenant !== tenant) {
    throw new DomainError('TENANT_FORBIDDEN', `events[${index}] names another tenant than the token`, `events.${index}.tenant`);
  }
  return {
    account,
    tenant,
    messageId: record.message_id,
    direction: record.direction,
    as2From: record.as2_from,
    as2To: record.as2_to,
    status: record.status,
    occurredAt: new Date(record.occurred_at).toISOString(),
    occurredAtMicros: instantInMicroseconds(record.occurred_at),
  };
}
