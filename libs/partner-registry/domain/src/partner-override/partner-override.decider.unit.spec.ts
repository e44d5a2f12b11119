import { deciderSpecification } from '@as2-partners/kernel-testing';
import { partnerOverrideDecider } from './partner-override.decider';
import type { PartnerOverrideSet } from './partner-override.events';

const spec = deciderSpecification(partnerOverrideDecider);
const target = { account: 'acc', tenant: 'ten', masterPartnerId: 'prt_m' };
const T0 = '2024-01-15T10:30:00.000Z';
const firstSet: PartnerOverrideSet = {
  type: 'partner.override_set.v1',
  data: { ...target, changes: { url: 'https://tenant.example/as2' }, overrides: { url: 'https://tenant.example/as2' }, setAt: T0 },
};

describe('partner override decider', () => {
  it('records the first override', () => {
    spec([]).when({ type: 'set_overrides', ...target, changes: { url: 'https://tenant.example/as2' }, now: T0 }).then([firstSet]);
  });

  it('accumulates overrides across requests', () => {
    spec([firstSet])
      .when({ type: 'set_overrides', ...target, changes: { mdnMode: 'sync' }, now: T0 })
      .then([
        {
          type: 'partner.override_set.v1',
          data: { ...target, changes: { mdnMode: 'sync' }, overrides: { url: 'https://tenant.example/as2', mdnMode: 'sync' }, setAt: T0 },
        },
      ]);
  });

  it('validates overridden values like any partner setting', () => {
    spec([]).when({ type: 'set_overrides', ...target, changes: { url: 'http://plain.example' }, now: T0 }).thenError('INVALID_ENDPOINT_URL');
  });

  it('resets, and a reset with nothing overridden emits nothing', () => {
    spec([firstSet]).when({ type: 'reset_overrides', ...target, now: T0 }).then([{ type: 'partner.overrides_reset.v1', data: { ...target, resetAt: T0 } }]);
    spec([]).when({ type: 'reset_overrides', ...target, now: T0 }).thenNothing();
  });

  it('starts from scratch after a reset', () => {
    spec([firstSet, { type: 'partner.overrides_reset.v1', data: { ...target, resetAt: T0 } }])
      .when({ type: 'set_overrides', ...target, changes: { compress: true }, now: T0 })
      .then([{ type: 'partner.override_set.v1', data: { ...target, changes: { compress: true }, overrides: { compress: true }, setAt: T0 } }]);
  });
});
