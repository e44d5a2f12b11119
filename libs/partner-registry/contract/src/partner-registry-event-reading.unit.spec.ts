import { type RecordedEvent, UnreadableEventError } from '@as2-partners/kernel';
import { instanceOwnerOf, readPartnerEvent, tenantPlanOf } from './partner-registry-event-reading';

function event(type: string, data: Record<string, unknown>, tenant: string | null = 'envelope-tenant'): RecordedEvent {
  return {
    id: 'evt-1',
    stream: 's-1',
    type,
    schemaVersion: 1,
    revision: 0,
    position: 1,
    data,
    metadata: { account: 'envelope-account', tenant, correlationId: 'c-1', causationId: null, actor: { type: 'user', id: 'alice' }, occurredAt: '2026-11-30T10:00:00.000Z' },
  } as RecordedEvent;
}

describe('reading the partner-registry events', () => {
  it('a tenant partner belongs to the payload account and tenant, falling back to the envelope', () => {
    expect(readPartnerEvent(event('partner.created.v1', { partnerId: 'p1', account: 'acc', tenant: 'ten', as2Id: 'ACME', settings: { name: 'Acme' } }))).toEqual({
      data: { partnerId: 'p1', account: 'acc', tenant: 'ten', as2Id: 'ACME', settings: { name: 'Acme' } },
      master: false,
      kind: 'tenant',
      account: 'acc',
      tenant: 'ten',
    });
    expect(readPartnerEvent(event('partner.updated.v1', { partnerId: 'p1' }))).toMatchObject({ master: false, account: 'envelope-account', tenant: 'envelope-tenant' });
  });

  it('a master partner is the account\'s, never a tenant\'s, whatever the payload or envelope say', () => {
    expect(readPartnerEvent(event('master_partner.created.v1', { partnerId: 'm1', account: 'acc', tenant: 'ten', settings: {} }))).toMatchObject({ master: true, kind: 'master', account: 'acc', tenant: null });
    expect(readPartnerEvent(event('master_partner.deleted.v1', { partnerId: 'm1' }))).toMatchObject({ master: true, account: 'envelope-account', tenant: null });
  });

  it('refuses as unreadable (parked at once, never retried) an event without a partner, or a create without its settings', () => {
    for (const [type, data] of [
      ['partner.created.v1', { partnerId: 'p1', account: 'acc', tenant: 'ten', as2Id: 'ACME' }],
      ['master_partner.created.v1', { partnerId: 'm1', account: 'acc', settings: null }],
      ['partner.updated.v1', { changes: { name: 'x' } }],
      ['partner.deleted.v1', { partnerId: '' }],
    ] as const) {
      expect(() => readPartnerEvent(event(type, data))).toThrow(UnreadableEventError);
    }
    expect(() => readPartnerEvent({ ...event('partner.deleted.v1', {}), data: null } as unknown as RecordedEvent)).toThrow(UnreadableEventError);
  });

  it('a tenant plan comes from a creation or from the changes of an update, else none', () => {
    expect(tenantPlanOf({ account: 'acc', tenantId: 'ten', plan: 'starter' })).toBe('starter');
    expect(tenantPlanOf({ account: 'acc', tenantId: 'ten', changes: { plan: 'professional' } })).toBe('professional');
    expect(tenantPlanOf({ account: 'acc', tenantId: 'ten', changes: { notificationEmail: 'ops@example.com' } })).toBeUndefined();
  });

  it('an AS2 instance keeps an explicit null tenant (account-level); a payload without one takes the envelope\'s', () => {
    expect(instanceOwnerOf(event('as2_instance.created.v1', { instanceId: 'i1', account: 'acc', tenant: null }))).toEqual({ account: 'acc', tenant: null });
    expect(instanceOwnerOf(event('as2_instance.created.v1', { instanceId: 'i1', account: 'acc', tenant: 'ten' }))).toEqual({ account: 'acc', tenant: 'ten' });
    expect(instanceOwnerOf(event('as2_instance.deleted.v1', { instanceId: 'i1' }))).toEqual({ account: 'envelope-account', tenant: 'envelope-tenant' });
  });
});
