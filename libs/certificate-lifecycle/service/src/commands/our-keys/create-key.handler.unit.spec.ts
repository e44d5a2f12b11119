import type { KeyAliasState, OurKeyEntry } from '@as2-partners/certificate-lifecycle-domain';
import type { RequestContext } from '@as2-partners/platform';
import { CreateKeyHandler } from './create-key.handler';
import { KeyMaterialQueue } from './key-material-queue';
import type { KeyRequestForm } from './key-request.form';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const DAY = 86_400_000;
const current: OurKeyEntry = {
  keyId: 'key_current',
  role: 'current',
  source: 'generated',
  certificate: { notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', fingerprintSha256: 'aa' } as OurKeyEntry['certificate'],
  sealedKey: { blobId: 'skb_1' } as OurKeyEntry['sealedKey'],
  createdAt: '2026-01-01T00:00:00.000Z',
  activateAt: null,
  overlapUntil: null,
  noticesDone: [],
};

/** The handler with its keystore holding one current key; nothing past the checks is reached in these cases. */
function handler(): CreateKeyHandler {
  const state: KeyAliasState = { keys: [current] };
  const keystore = { state: async () => state };
  const access = { writable: async () => ({ _id: current.keyId, account: 'acme', tenant: 't1', alias: 'signing' }) };
  const clock = { now: () => NOW };
  const unused = {} as never;
  return new CreateKeyHandler(keystore as never, unused, unused, unused, access as never, unused, clock as never);
}

const generate = (validDays: number): KeyRequestForm => ({ source: { kind: 'generate', keySize: 4096, subject: 'CN=next', validDays } }) as KeyRequestForm;
const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

describe('a rollover to a key to generate', () => {
  const made = jest.spyOn(KeyMaterialQueue.prototype, 'materialFor');
  afterEach(() => made.mockClear());
  afterAll(() => made.mockRestore());

  it('is refused before the key pair is made when the certificate it would get cannot cover the window', async () => {
    const ctx = { caller: { account: 'acme', tenant: 't1' } } as RequestContext;
    const rollover = handler().rollover(ctx, { account: 'acme', tenant: 't1' } as never, current.keyId, { ...generate(2), activateAt: at(1), overlapUntil: at(30) } as KeyRequestForm);
    await expect(rollover).rejects.toMatchObject({ code: 'CERTIFICATE_NOT_VALID_FOR_WINDOW', field: 'overlap_until' });
    expect(made).not.toHaveBeenCalled();
  });

  it('is refused before the key pair is made when its window is refused whatever the key (activate_at past)', async () => {
    const ctx = { caller: { account: 'acme', tenant: 't1' } } as RequestContext;
    const rollover = handler().rollover(ctx, { account: 'acme', tenant: 't1' } as never, current.keyId, { ...generate(365), activateAt: at(-1), overlapUntil: at(30) } as KeyRequestForm);
    await expect(rollover).rejects.toMatchObject({ code: 'ROLLOVER_WINDOW_INVALID', field: 'activate_at' });
    expect(made).not.toHaveBeenCalled();
  });
});
