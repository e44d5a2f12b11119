import { createHash } from 'node:crypto';
import { CertificateLifecycleStreams, keyAliasDecider, readCertificateUpload, toCertificateData, type KeyAliasCommand, type NewKey } from '@as2-partners/certificate-lifecycle-domain';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { DomainError, WriteModel, type EventMetadata } from '@as2-partners/kernel';
import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import type { Timestamper } from '../../timestamping/timestamper';
import { recordingTimestamper, tickingClock } from './activation.spec-support';
import { KeyRolloverActivation } from './key-rollover-activation';

const alias = { account: 'acc', tenant: 'ten', alias: 'our-as2' };
const START = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();
const activateAt = iso(START + 60_000);
const overlapUntil = iso(START + 3_600_000);
const trigger = { type: 'scheduler' as const, actor: 'scheduler-1' };
const metadataAt = (at: Date): EventMetadata => ({ account: 'acc', tenant: 'ten', correlationId: 'c', causationId: null, actor: { type: 'system', id: 'scheduler' }, occurredAt: at.toISOString() });

/** One of our keys, its certificate a real one (issued now by the test factory). */
function key(keyId: string): NewKey {
  const certificate = toCertificateData(readCertificateUpload(Buffer.from(issueTestCertificate({ commonName: keyId }).pem)));
  return { keyId, source: 'generated', certificate, sealedKey: { blobId: `skb_${keyId}`, sha256: certificate.fingerprintSha256 } };
}


describe('KeyRolloverActivation', () => {
  const current = key('key_01JDCURRENT000000000000001');
  const next = key('key_01JDNEXT00000000000000001');
  let store: InMemoryEventStore;
  let writeModel: WriteModel;
  const { timestamper, stamped } = recordingTimestamper(iso(START));

  const stream = CertificateLifecycleStreams.keyAlias(alias.account, alias.tenant, alias.alias);

  beforeEach(async () => {
    store = new InMemoryEventStore();
    writeModel = new WriteModel(store);
    stamped.length = 0;
    const now = iso(START);
    const commands: KeyAliasCommand[] = [
      { ...alias, type: 'create', key: current, now },
      { ...alias, type: 'schedule_rollover', currentKeyId: current.keyId, key: next, activateAt, overlapUntil, now },
    ];
    for (const command of commands) await writeModel.decide(stream, keyAliasDecider, command, metadataAt(new Date(now)));
  });

  it('activates a due rollover with the stamped document of both keys, its event dated the instant it activates at', async () => {
    const activation = new KeyRolloverActivation(writeModel, timestamper, tickingClock(START + 120_000));
    const decision = await activation.activate(alias, trigger, metadataAt);
    expect(decision.events.map((e) => e.type)).toEqual(['key.rollover_activated.v1']);
    const [activated] = (await store.readStream(stream)).slice(-1);
    const data = activated!.data as { activatedAt: string; evidence: { document: string; sha256: string; timestampToken: string } };
    expect(activated!.metadata.occurredAt).toBe(data.activatedAt);
    expect(stamped).toEqual([data.evidence.document]);
    expect(data.evidence.sha256).toBe(createHash('sha256').update(data.evidence.document, 'utf8').digest('hex'));
    expect(JSON.parse(data.evidence.document)).toEqual({
      purpose: 'as2-partners key rollover activation',
      account: 'acc',
      tenant: 'ten',
      alias: 'our-as2',
      key: { id: next.keyId, certificate_sha256: next.certificate.fingerprintSha256 },
      previous_key: { id: current.keyId, certificate_sha256: current.certificate.fingerprintSha256 },
      trigger,
      scheduled_for: activateAt,
      activated_at: data.activatedAt,
      overlap_until: overlapUntil,
    });
    expect(data.evidence.timestampToken).toBe('dG9rZW4=');
    // Activated once: another try finds nothing due and asks no TSA.
    expect((await activation.activate(alias, trigger, metadataAt)).events).toEqual([]);
    expect(stamped).toHaveLength(1);
  });

  it('decides nothing, and asks no TSA, while the rollover is not due', async () => {
    const decision = await new KeyRolloverActivation(writeModel, timestamper, tickingClock(START)).activate(alias, trigger, metadataAt);
    expect(decision).toMatchObject({ events: [], position: null });
    expect(stamped).toEqual([]);
  });

  it('leaves the rollover due when the TSA cannot stamp: nothing is appended, and a later try activates it', async () => {
    const down: Timestamper = { stamp: async () => Promise.reject(new DomainError('TIMESTAMP_AUTHORITY_UNAVAILABLE', 'down')), close: async () => undefined };
    await expect(new KeyRolloverActivation(writeModel, down, tickingClock(START + 120_000)).activate(alias, trigger, metadataAt)).rejects.toMatchObject({ code: 'TIMESTAMP_AUTHORITY_UNAVAILABLE' });
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['key.created.v1', 'key.created.v1', 'key.rollover_scheduled.v1']);
    const later = await new KeyRolloverActivation(writeModel, timestamper, tickingClock(START + 180_000)).activate(alias, trigger, metadataAt);
    expect(later.events.map((e) => e.type)).toEqual(['key.rollover_activated.v1']);
  });
});
