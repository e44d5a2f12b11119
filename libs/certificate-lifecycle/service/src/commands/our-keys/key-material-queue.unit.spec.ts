import type { KeyMaterial } from '../../keystore/key-material';
import { KeyMaterialQueue } from './key-material-queue';
import type { KeySourceRequest } from './key-request.form';

describe('KeyMaterialQueue', () => {
  it("makes one keystore's key material one at a time, while another keystore's is made beside it", async () => {
    const running = new Map<string, number>();
    let most = 0;
    let otherBesideBusy = false;
    const queue = new KeyMaterialQueue(async (source) => {
      const owner = (source as { subject: string }).subject;
      running.set(owner, (running.get(owner) ?? 0) + 1);
      if (owner === 'busy') most = Math.max(most, running.get(owner) ?? 0);
      else if ((running.get('busy') ?? 0) > 0) otherBesideBusy = true;
      await new Promise((resolve) => setTimeout(resolve, 20));
      running.set(owner, (running.get(owner) ?? 1) - 1);
      return { subject: owner } as unknown as KeyMaterial;
    });
    const source = (subject: string) => ({ kind: 'generate', keySize: 4096, subject, validDays: 30 }) as KeySourceRequest;
    const now = new Date();
    const busy = Array.from({ length: 4 }, () => queue.materialFor({ account: 'acc', tenant: 'busy' }, source('busy'), now));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const made = await Promise.all([...busy, queue.materialFor({ account: 'acc', tenant: 'other' }, source('other'), now)]);
    expect(made).toHaveLength(5);
    expect([most, otherBesideBusy]).toEqual([1, true]);
    // The account's own keystore is another keystore than any tenant's.
    expect(await queue.materialFor({ account: 'acc', tenant: null }, source('account'), now)).toEqual({ subject: 'account' });
  });
});
