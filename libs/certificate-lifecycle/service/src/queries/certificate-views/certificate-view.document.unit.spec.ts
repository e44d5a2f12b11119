import { emptyPartnerCertificates } from '@as2-partners/certificate-lifecycle-domain';
import { stateOfStored, storedStateOf } from './certificate-view.document';

/** A partner-slots document's `state` as main stored it before the state had a status (the flag `removed`). */
function storedBeforeStatus(partnerId: string | null, removed: boolean) {
  const { status: _status, ...rest } = storedStateOf({ ...emptyPartnerCertificates(), partnerId });
  return { ...rest, removed };
}

describe('stored partner certificates', () => {
  it('reads documents written before the status: the removed flag becomes the status', () => {
    expect(stateOfStored(storedBeforeStatus('ptr_1', true)).status).toBe('removed');
    expect(stateOfStored(storedBeforeStatus('ptr_1', false)).status).toBe('tracked');
    expect(stateOfStored(storedBeforeStatus(null, false)).status).toBe('none');
    expect(stateOfStored(storedBeforeStatus('ptr_1', true))).not.toHaveProperty('removed');
  });

  it('round-trips the current shape', () => {
    const state = { ...emptyPartnerCertificates(), status: 'tracked' as const, partnerId: 'ptr_2' };
    expect(stateOfStored(storedStateOf(state))).toEqual(state);
  });
});
