import { DomainError } from '@as2-partners/kernel';
import { messageOutcomeOf } from './gateway-message-outcome.mapper';
import type { GatewayMessageRecordDto } from './gateway-message-record.dto';

const record = (extra: Partial<GatewayMessageRecordDto> = {}): GatewayMessageRecordDto =>
  ({ message_id: '<m1@us>', direction: 'outbound', as2_from: 'US', as2_to: 'ACME', status: 'delivered', occurred_at: '2026-11-30T10:00:00Z', tenant: 't1', ...extra }) as GatewayMessageRecordDto;

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
}

describe('messageOutcomeOf: where a gateway record lands', () => {
  it("lands in the token's account; a record naming another account is refused", () => {
    expect(messageOutcomeOf(record(), { account: 'acme', tenant: null }, 0)).toMatchObject({ account: 'acme', tenant: 't1' });
    expect(messageOutcomeOf(record({ account: 'acme' }), { account: 'acme', tenant: null }, 0).account).toBe('acme');
    expect(codeOf(() => messageOutcomeOf(record({ account: 'other' }), { account: 'acme', tenant: null }, 0))).toBe('ACCOUNT_FORBIDDEN');
  });

  it('with a token of every account, lands in the account the record names, and never in `*`', () => {
    expect(messageOutcomeOf(record({ account: 'acme' }), { account: '*', tenant: null }, 0)).toMatchObject({ account: 'acme', tenant: 't1' });
    expect(codeOf(() => messageOutcomeOf(record(), { account: '*', tenant: null }, 3))).toBe('ACCOUNT_REQUIRED');
    expect(codeOf(() => messageOutcomeOf(record({ account: '*' }), { account: '*', tenant: null }, 0))).toBe('ACCOUNT_REQUIRED');
  });

  it('a JSON null names no account or tenant: refused as a record naming none, never stored under a null scope', () => {
    const none = (extra: Record<string, unknown>) => record(extra as Partial<GatewayMessageRecordDto>);
    expect(codeOf(() => messageOutcomeOf(none({ account: null }), { account: '*', tenant: null }, 0))).toBe('ACCOUNT_REQUIRED');
    expect(codeOf(() => messageOutcomeOf(none({ tenant: null }), { account: 'acme', tenant: null }, 0))).toBe('TENANT_REQUIRED');
    expect(messageOutcomeOf(none({ tenant: null, account: null }), { account: 'acme', tenant: 't1' }, 0)).toMatchObject({ account: 'acme', tenant: 't1' });
  });
});
