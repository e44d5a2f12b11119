import { BucketedMap, foldEvents, SNAPSHOT_SLICE } from '@as2-partners/kernel';
import { deciderSpecification } from '@as2-partners/kernel-testing';
import { certificateDirectoryDecider, type CertificateDirectoryEvent } from './certificate-directory.decider';
import { certificateLimitOf } from './certificate-limits';

const spec = deciderSpecification(certificateDirectoryDecider);
const now = '2026-11-23T10:00:00.000Z';
const reserved = (certificateId: string): CertificateDirectoryEvent => ({ type: 'certificate_directory.reserved.v1', data: { certificateId, reservedAt: now } });
const free = { plan: 'free', limit: 10 };

describe('certificate directory', () => {
  it('given 9 stored on the free plan, when a 10th is reserved, then it is reserved', () => {
    const nine = Array.from({ length: 9 }, (_, i) => reserved(`cert_${i}`));
    spec(nine).when({ type: 'reserve', certificateId: 'cert_x', plan: free, now }).then([reserved('cert_x')]);
  });

  it('given 10 stored on the free plan, when an 11th is reserved, then CERTIFICATE_LIMIT_EXCEEDED with the seed details', () => {
    const ten = Array.from({ length: 10 }, (_, i) => reserved(`cert_${i}`));
    spec(ten)
      .when({ type: 'reserve', certificateId: 'cert_x', plan: free, now })
      .thenError('CERTIFICATE_LIMIT_EXCEEDED', {
        details: { current_certificates: 11, plan_limit: 10, plan: 'free', upgrade_url: 'https://as2aas.com/dashboard/billing' },
      });
  });

  it('given a released certificate, when another is reserved at the limit, then the freed place is used', () => {
    const ten = Array.from({ length: 10 }, (_, i) => reserved(`cert_${i}`));
    const released: CertificateDirectoryEvent = { type: 'certificate_directory.released.v1', data: { certificateId: 'cert_3', releasedAt: now } };
    spec([...ten, released]).when({ type: 'reserve', certificateId: 'cert_x', plan: free, now }).then([reserved('cert_x')]);
  });

  it('given a reservation, when it is reserved again (a retry), then nothing happens', () => {
    spec([reserved('cert_1')]).when({ type: 'reserve', certificateId: 'cert_1', plan: free, now }).thenNothing();
  });

  it('account-level certificates (no plan) are not limited', () => {
    const many = Array.from({ length: 200 }, (_, i) => reserved(`cert_${i}`));
    spec(many).when({ type: 'reserve', certificateId: 'cert_x', plan: null, now }).then([reserved('cert_x')]);
  });

  it('when an unknown certificate is released, then nothing happens', () => {
    spec([]).when({ type: 'release', certificateId: 'cert_1', now }).thenNothing();
  });

  it('limits follow the seed: free 10, starter 25, professional 100, enterprise unlimited', () => {
    expect(['free', 'starter', 'professional', 'enterprise'].map(certificateLimitOf)).toEqual([10, 25, 100, null]);
  });

  it('a fold resumed from a snapshot (through JSON) equals the full fold', () => {
    const codec = certificateDirectoryDecider.snapshot;
    if (!codec) throw new Error('the certificate directory must have a snapshot codec');
    const events: CertificateDirectoryEvent[] = Array.from({ length: 2_000 }, (_, i) =>
      i % 4 === 3
        ? { type: 'certificate_directory.released.v1', data: { certificateId: `cert_${(i * 7) % 300}`, releasedAt: now } }
        : reserved(`cert_${(i * 11) % 300}`),
    );
    const full = foldEvents(certificateDirectoryDecider, events);
    const restored = codec.fromJson(JSON.parse(JSON.stringify(codec.toJson(foldEvents(certificateDirectoryDecider, events.slice(0, 1_234))))));
    const resumed = events.slice(1_234).reduce(certificateDirectoryDecider.evolve, restored);
    expect([...resumed.stored.keys()].sort()).toEqual([...full.stored.keys()].sort());
    expect(full.stored.size).toBeGreaterThan(50);
  });

  it('restores without a turn or a decoded entry, equal to fromJson and the full fold', async () => {
    const codec = certificateDirectoryDecider.snapshot;
    if (!codec?.restore || !codec.toJsonInSlices) throw new Error('the certificate directory must restore and save its snapshot');
    const events = Array.from({ length: 2_500 }, (_, i) => reserved(`cert_${i}`));
    const full = foldEvents(certificateDirectoryDecider, events);
    const json = JSON.parse(JSON.stringify(await codec.toJsonInSlices(full, async () => undefined))) as unknown;
    expect(json).toEqual(JSON.parse(JSON.stringify(codec.toJson(full))));
    let turns = 0;
    const restored = await codec.restore(json, async () => void (turns += 1));
    expect(turns).toBe(0);
    expect([...(restored.stored.current() as BucketedMap<string, string>).decodedKeys()]).toEqual([]);
    expect(restored.stored.size).toBe(2_500);
    expect([...restored.stored.entries()].sort()).toEqual([...full.stored.entries()].sort());
    expect([...restored.stored.entries()].sort()).toEqual([...codec.fromJson(json).stored.entries()].sort());
  });

  it('still restores a snapshot of the first form (one entry per certificate), in slices, equal to the full fold', async () => {
    const previous = certificateDirectoryDecider.snapshot?.previous;
    if (!previous?.restore) throw new Error('the certificate directory must still read its first snapshot form');
    expect(previous.name).toBe('certificate_directory.v1');
    const events = Array.from({ length: 2_500 }, (_, i) => reserved(`cert_${i}`));
    const full = foldEvents(certificateDirectoryDecider, events);
    const json = Array.from({ length: 2_500 }, (_, i) => [`cert_${i}`, now]);
    let turns = 0;
    const restored = await previous.restore(JSON.parse(JSON.stringify(json)), async () => void (turns += 1));
    expect(turns).toBe(Math.ceil(2_500 / SNAPSHOT_SLICE) - 1);
    expect([...restored.stored.entries()].sort()).toEqual([...full.stored.entries()].sort());
  });
});
