import { KEY_USERS_NAMED, presentKey } from './key.presenter';
import type { KeyViewDocument } from './key-view.document';

const at = '2026-01-01T00:00:00.000Z';
const key = {
  _id: 'key_1',
  account: 'acme',
  tenant: null,
  alias: 'shared',
  role: 'current',
  source: 'generated',
  certificate: { keyAlgorithm: 'RSA', keySize: 2048, subject: 'CN=x', issuer: 'CN=x', serial: '01', notBefore: at, notAfter: '2030-01-01T00:00:00.000Z', fingerprintSha1: 'a', fingerprintSha256: 'b', selfSigned: true, chain: [] },
  expiresAt: '2030-01-01T00:00:00.000Z',
  activateAt: null,
  overlapUntil: null,
  activatedAt: at,
  expiryNotice: null,
  createdAt: at,
} as unknown as KeyViewDocument;
const instances = (count: number) => ({ named: Array.from({ length: Math.min(count, KEY_USERS_NAMED) }, (_, i) => ({ instanceId: `as2_${i}`, myAs2Id: `ME-${i}` })), total: count });

describe("a key's used_by", () => {
  it('names the first 100 AS2 instances of an alias named in every tenant, and counts them all', () => {
    const shown = presentKey(key, instances(400), new Date(at), 'master');
    expect([shown.used_by.length, shown.used_by_total]).toEqual([KEY_USERS_NAMED, 400]);
    const few = presentKey(key, instances(2), new Date(at), 'master');
    expect([few.used_by, few.used_by_total]).toEqual([[{ instance_id: 'as2_0', my_as2_id: 'ME-0' }, { instance_id: 'as2_1', my_as2_id: 'ME-1' }], 2]);
  });

  it('is empty with a total of 0 for a key that no longer decrypts', () => {
    const retired = presentKey({ ...key, role: 'previous', overlapUntil: at } as KeyViewDocument, instances(3), new Date('2026-06-01T00:00:00.000Z'));
    expect([retired.used_by, retired.used_by_total]).toEqual([[], 0]);
  });
});
