import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as forge from 'node-forge';
import { toNewEvents, type EventMetadata, type RecordedEvent } from '@as2-partners/kernel';
import {
  activationEvidenceDocument,
  CERTIFICATE_LIFECYCLE_EVENT_TYPES,
  certificateDecider,
  certificateDirectoryDecider,
  CertificateLifecycleStreams,
  keyAliasDecider,
  partnerCertificatesDecider,
  readCertificateUpload,
  toCertificateData,
  type CertificateData,
  type CertificateFacts,
  type CertificateLifecycleEvent,
  type CertificateUsage,
  type EvidenceData,
} from '@as2-partners/certificate-lifecycle-domain';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createTsaIdentity, TimestampAuthority } from '@as2-partners/timestamping';
import { type RequestContext, requestMetadata, systemMetadata } from '@as2-partners/platform';
import { traced } from '@as2-partners/kernel-testing';

const DOCS = join(__dirname, '../../../../../docs/asyncapi');
const SPEC = join(DOCS, 'certificate-lifecycle.asyncapi.yaml');
const schemaFile = (type: string) => join(DOCS, 'schemas/certificate-lifecycle', `${type}.schema.json`);

const DAY_MS = 86_400_000;
const T0 = '2026-11-23T10:00:00.000Z';
const at = (days: number) => new Date(Date.parse(T0) + days * DAY_MS).toISOString();
const PARTNER = 'prt_01M8369VHGVPBY5SEFAXFPSG8P';
const ids = {
  encryption: 'cert_01M8369VHGVPBY5SEFAXFPSG91',
  signature: 'cert_01M8369VHGVPBY5SEFAXFPSG92',
  tls: 'cert_01M8369VHGVPBY5SEFAXFPSG93',
  next: 'cert_01M8369VHGVPBY5SEFAXFPSG94',
  expiring: 'cert_01M8369VHGVPBY5SEFAXFPSG95',
  orphaned: 'cert_01M8369VHGVPBY5SEFAXFPSG96',
  ourKey: 'key_01M8369VHGVPBY5SEFAXFPSG97',
  ourNextKey: 'key_01M8369VHGVPBY5SEFAXFPSG98',
};

const ctx: RequestContext = {
  caller: { sub: 'alice', account: 'acc', tenant: 'ten', roles: ['tenant_admin'] },
  correlationId: 'corr-1',
  requestId: 'req-1',
};

/** A real upload: a leaf and its CA as one PEM bundle, read by the same reader the upload endpoint uses. */
function uploadedCertificate(commonName: string, notAfter = new Date('2027-06-01T00:00:00Z')): CertificateData {
  const ca = issueTestCertificate({ commonName: `${commonName} CA`, isCa: true, notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') });
  const leaf = issueTestCertificate({
    commonName,
    organization: 'Contract Partner',
    issuer: ca,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter,
    extendedKeyUsage: ['emailProtection'],
  });
  return toCertificateData(readCertificateUpload(Buffer.from(leaf.pem + ca.pem)));
}

function factsOf(certificateId: string, usage: CertificateUsage, data: CertificateData): CertificateFacts {
  return {
    certificateId,
    name: `${usage} certificate`,
    type: 'partner',
    usage,
    subject: data.subject,
    notBefore: data.notBefore,
    notAfter: data.notAfter,
    fingerprintSha256: data.fingerprintSha256,
    createdAt: T0,
    active: true,
  };
}

/** DER TimeStampReq (RFC 3161) over a SHA-256 digest, asking for the TSA certificate in the reply. */
function timestampRequest(sha256Hex: string): Buffer {
  const { asn1 } = forge;
  const request = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x01'),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('2.16.840.1.101.3.4.2.1').getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, Buffer.from(sha256Hex, 'hex').toString('binary')),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff'),
  ]);
  return Buffer.from(asn1.toDer(request).getBytes(), 'binary');
}

interface Produced {
  readonly stream: string;
  readonly event: CertificateLifecycleEvent;
  readonly metadata: EventMetadata;
}

/** Real decider output for every event type, with the stream each is appended to and the metadata the service gives it. */
function producedEvents(): Produced[] {
  const out: Produced[] = [];
  function run<C, S, E extends CertificateLifecycleEvent>(
    stream: string,
    decider: { initialState: () => S; decide: (c: C, s: S) => E[]; evolve: (s: S, e: E) => S },
    steps: { command: C; metadata: EventMetadata }[],
  ) {
    let state = decider.initialState();
    for (const { command, metadata } of steps) {
      for (const event of decider.decide(command, state)) {
        out.push({ stream, event, metadata });
        state = decider.evolve(state, event);
      }
    }
  }
  const byUser = (when: string, tenant: string | null = 'ten') => requestMetadata(ctx, tenant, new Date(when));
  const bySystem = (when: string, id: string) => systemMetadata({ account: 'acc', tenant: 'ten' }, { type: 'system', id }, new Date(when));
  const partner = { partnerId: PARTNER, account: 'acc', tenant: 'ten' };

  const encryption = uploadedCertificate('Partner Encryption');
  const signing = uploadedCertificate('Partner Signing');
  const tls = uploadedCertificate('partner.example.com');
  const next = uploadedCertificate('Partner Next');
  const expiring = uploadedCertificate('Partner Expiring', new Date('2026-12-01T00:00:00Z'));

  const upload = (certificateId: string, usage: CertificateUsage, certificate: CertificateData, tenant: string | null = 'ten') => ({
    command: { type: 'upload' as const, certificateId, account: 'acc', tenant, name: `${usage} certificate`, usage, certificateType: 'partner' as const, partnerId: PARTNER, certificate, now: T0 },
    metadata: byUser(T0, tenant),
  });
  run(CertificateLifecycleStreams.certificate(ids.encryption), certificateDecider, [
    upload(ids.encryption, 'encryption', encryption),
    { command: { type: 'retire', partnerId: PARTNER, partnerTenant: 'ten', otherUses: [], forced: true, reason: 'key compromised', now: at(4) }, metadata: byUser(at(4)) },
    { command: { type: 'delete', caller: { tenant: 'ten', accountAdmin: false }, uses: [], now: at(5) }, metadata: byUser(at(5)) },
  ]);
  run(CertificateLifecycleStreams.certificate(ids.expiring), certificateDecider, [
    upload(ids.expiring, 'both', expiring),
    { command: { type: 'evaluate_expiry', now: T0 }, metadata: bySystem(T0, 'expiry-evaluator') },
    { command: { type: 'evaluate_expiry', now: '2026-12-02T00:00:00.000Z' }, metadata: bySystem('2026-12-02T00:00:00.000Z', 'expiry-evaluator') },
  ]);
  run(CertificateLifecycleStreams.certificate(ids.orphaned), certificateDecider, [
    upload(ids.orphaned, 'tls', tls, null),
    {
      command: { type: 'deactivate', partnerId: PARTNER, partnerTenant: null, otherUses: [], now: at(6) },
      metadata: systemMetadata({ account: 'acc', tenant: null }, { type: 'service', id: 'certificate-lifecycle' }, new Date(at(6))),
    },
  ]);

  const evidence = activationEvidence(partner, encryption, next);
  run(CertificateLifecycleStreams.partnerCertificates(PARTNER), partnerCertificatesDecider, [
    { command: { ...partner, type: 'attach', certificate: factsOf(ids.encryption, 'encryption', encryption), now: T0 }, metadata: byUser(T0) },
    { command: { ...partner, type: 'assign', slot: 'signature', certificate: factsOf(ids.signature, 'signing', signing), now: T0 }, metadata: byUser(T0) },
    { command: { ...partner, type: 'follow_encryption', now: T0 }, metadata: byUser(T0) },
    { command: { ...partner, type: 'schedule_backup', slot: 'tls', certificate: factsOf(ids.tls, 'tls', tls), activateOn: at(1), now: T0 }, metadata: byUser(T0) },
    { command: { ...partner, type: 'cancel_backup', slot: 'tls', now: T0 }, metadata: byUser(T0) },
    { command: { ...partner, type: 'schedule_backup', slot: 'tls', certificate: factsOf(ids.tls, 'tls', tls), activateOn: at(1), now: T0 }, metadata: byUser(T0) },
    {
      command: { ...partner, type: 'activate_due_backups', trigger: { type: 'scheduler', actor: 'scheduler-1' }, backupCertificates: [factsOf(ids.tls, 'tls', tls)], now: at(2) },
      metadata: bySystem(at(2), 'scheduler-1'),
    },
    {
      command: {
        ...partner,
        type: 'schedule_rollover',
        certificate: factsOf(ids.next, 'both', next),
        activateAt: at(3),
        overlapUntil: at(10),
        slots: ['encryption', 'signature'],
        now: at(2),
      },
      metadata: byUser(at(2)),
    },
    {
      command: {
        ...partner,
        type: 'activate_rollover',
        trigger: { type: 'manual', actor: 'alice' },
        onlyIfDue: false,
        nextCertificate: factsOf(ids.next, 'both', next),
        previousSha256: { [ids.encryption]: encryption.fingerprintSha256 },
        evidence,
        now: evidence.genTime,
      },
      metadata: byUser(evidence.genTime),
    },
    { command: { ...partner, type: 'retire', force: true, reason: 'key compromised', now: at(4) }, metadata: byUser(at(4)) },
    {
      command: { ...partner, type: 'link_on_create', certificateId: 'cert_01JD0000000000000000000000', certificate: null, refusal: null, now: at(5) },
      metadata: systemMetadata(partner, { type: 'service', id: 'certificate-lifecycle' }, new Date(at(5))),
    },
    {
      command: { ...partner, type: 'remove_partner', now: at(6) },
      metadata: systemMetadata(partner, { type: 'service', id: 'certificate-lifecycle' }, new Date(at(6))),
    },
  ]);

  run(CertificateLifecycleStreams.directory('acc', 'ten'), certificateDirectoryDecider, [
    { command: { type: 'reserve', certificateId: ids.encryption, plan: { plan: 'free', limit: 5 }, now: T0 }, metadata: byUser(T0) },
    { command: { type: 'release', certificateId: ids.encryption, now: at(5) }, metadata: byUser(at(5)) },
  ]);
  // Our own keystore: a key, its scheduled successor, the activation, expiry notices, deletion of the retired key.
  const alias = { account: 'acc', tenant: 'ten', alias: 'our-as2.main' };
  const ourKey = (keyId: string, certificate: CertificateData) => ({
    keyId,
    source: 'pkcs12' as const,
    certificate,
    sealedKey: { blobId: `skb_${keyId.slice(4)}`, sha256: createHash('sha256').update(keyId).digest('hex') },
  });
  const ourCurrent = uploadedCertificate('Our AS2', new Date('2026-12-10T00:00:00Z'));
  const ourNext = uploadedCertificate('Our AS2 Next');
  run(CertificateLifecycleStreams.keyAlias('acc', 'ten', alias.alias), keyAliasDecider, [
    { command: { ...alias, type: 'create', key: ourKey(ids.ourKey, ourCurrent), now: T0 }, metadata: byUser(T0) },
    {
      command: { ...alias, type: 'schedule_rollover', currentKeyId: ids.ourKey, key: ourKey(ids.ourNextKey, ourNext), activateAt: at(3), overlapUntil: at(10), now: at(1) },
      metadata: byUser(at(1)),
    },
    { command: { ...alias, type: 'evaluate_expiry', now: at(1) }, metadata: bySystem(at(1), 'expiry-evaluator') },
    { command: { ...alias, type: 'activate_due_rollover', trigger: { type: 'scheduler', actor: 'scheduler-1' }, now: at(3) }, metadata: bySystem(at(3), 'scheduler-1') },
    { command: { ...alias, type: 'evaluate_expiry', now: '2026-12-11T00:00:00.000Z' }, metadata: bySystem('2026-12-11T00:00:00.000Z', 'expiry-evaluator') },
    { command: { ...alias, type: 'retire_after_overlap', trigger: { type: 'scheduler', actor: 'scheduler-1' }, now: at(12) }, metadata: bySystem(at(12), 'scheduler-1') },
    { command: { ...alias, type: 'delete', keyId: ids.ourKey, instances: [], now: at(20) }, metadata: byUser(at(20)) },
  ]);

  run(CertificateLifecycleStreams.directory('acc', null), certificateDirectoryDecider, [
    { command: { type: 'reserve', certificateId: ids.orphaned, plan: null, now: T0 }, metadata: byUser(T0, null) },
  ]);
  return out;
}

/** The evidence an activation stores: the fixed-order document, stamped by a real RFC 3161 authority (in memory). */
function activationEvidence(partner: { partnerId: string; account: string; tenant: string }, previous: CertificateData, next: CertificateData): EvidenceData {
  const activatedAt = new Date(Date.parse(at(2)) + 3_600_000).toISOString();
  const { document, sha256 } = activationEvidenceDocument({
    ...partner,
    slots: ['encryption', 'signature'],
    next: { certificateId: ids.next, sha256: next.fingerprintSha256 },
    previous: [{ slot: 'encryption', certificateId: ids.encryption, sha256: previous.fingerprintSha256 }],
    trigger: { type: 'manual', actor: 'alice' },
    scheduledFor: at(3),
    activatedAt,
    overlapUntil: at(10),
  });
  const identity = createTsaIdentity({ now: new Date('2026-01-01T00:00:00Z') });
  const authority = new TimestampAuthority(identity, { now: () => new Date(activatedAt) });
  return {
    document,
    sha256,
    timestampToken: authority.respond(timestampRequest(sha256)).toString('base64'),
    tsaCertificate: [identity.certificatePem, ...identity.chainPem].join(''),
    tsaUrl: 'http://127.0.0.1:3180/',
    genTime: activatedAt,
  };
}

function recorded({ stream, event, metadata }: Produced, index: number): RecordedEvent {
  const [newEvent] = toNewEvents([event], metadata);
  return { ...newEvent!, stream, revision: 0, position: index };
}

describe('certificate-lifecycle AsyncAPI contract', () => {
  let produced: Produced[];
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validators = new Map<string, ReturnType<Ajv['compile']>>();
  const validatorOf = (type: string) => {
    if (!validators.has(type)) validators.set(type, ajv.compile(JSON.parse(readFileSync(schemaFile(type), 'utf8'))));
    return validators.get(type)!;
  };
  const envelopeOf = (type: string) => {
    const index = produced.findIndex((p) => p.event.type === type);
    return JSON.parse(JSON.stringify(recorded(produced[index]!, index)));
  };

  beforeAll(() => {
    produced = producedEvents();
  });

  it('is a valid AsyncAPI 3 document naming every event type once, each with its schema as payload', async () => {
    const { document, diagnostics } = await fromFile(new Parser(), SPEC).parse();
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => d.message)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
    const channels = document!.channels().all();
    expect(channels.map((c) => c.address())).toEqual(['as2.certificate-lifecycle.events']);
    const messages = document!.messages().all();
    const names = messages.map((m) => m.name());
    expect(names).toHaveLength(new Set(names).size);
    expect([...names].sort()).toEqual([...CERTIFICATE_LIFECYCLE_EVENT_TYPES].sort());
    for (const message of messages) expect(message.payload()?.title()).toBe(message.name());
    expect(document!.operations().all().flatMap((o) => o.messages().all().map((m) => m.name())).sort()).toEqual([...CERTIFICATE_LIFECYCLE_EVENT_TYPES].sort());
  });

  it('has a schema for every event type, and real decider output validates against it', () => {
    expect([...new Set(produced.map((p) => p.event.type))].sort()).toEqual([...CERTIFICATE_LIFECYCLE_EVENT_TYPES].sort());
    for (const type of CERTIFICATE_LIFECYCLE_EVENT_TYPES) {
      expect(JSON.parse(readFileSync(schemaFile(type), 'utf8'))).toMatchObject({ title: type, properties: { type: { const: type } } });
    }
    produced.forEach((p, i) => {
      const validate = validatorOf(p.event.type);
      const envelope = JSON.parse(JSON.stringify(recorded(p, i)));
      if (!validate(envelope)) throw new Error(`${p.event.type}: ${ajv.errorsText(validate.errors)}`);
      if (!validate(traced(envelope))) throw new Error(`${p.event.type} with trace context: ${ajv.errorsText(validate.errors)}`);
    });
  });

  it('documents evidence a verifier can check: the digest of the stored document is the one that was stamped', () => {
    const { data } = envelopeOf('trust.activated.v1');
    expect(createHash('sha256').update(data.evidence.document, 'utf8').digest('hex')).toBe(data.evidence.sha256);
    expect(Buffer.from(data.evidence.timestampToken, 'base64').includes(Buffer.from(data.evidence.sha256, 'hex'))).toBe(true);
  });

  it('rejects a private key where the certificate PEM belongs', () => {
    const envelope = envelopeOf('certificate.uploaded.v1');
    expect(validatorOf('certificate.uploaded.v1')(envelope)).toBe(true);
    envelope.data.certificate.pem = issueTestCertificate().privateKeyPem;
    expect(validatorOf('certificate.uploaded.v1')(envelope)).toBe(false);
  });

  it('rejects key material in our keys\' events: a private key for the certificate, a key or blob field', () => {
    const validate = validatorOf('key.created.v1');
    expect(validate(envelopeOf('key.created.v1'))).toBe(true);
    const pem = envelopeOf('key.created.v1');
    pem.data.certificate.pem = issueTestCertificate().privateKeyPem;
    expect(validate(pem)).toBe(false);
    const key = envelopeOf('key.created.v1');
    key.data.privateKey = 'MIIE...';
    expect(validate(key)).toBe(false);
    const blob = envelopeOf('key.created.v1');
    blob.data.sealedKey.sealedKey = 'v1.abc';
    expect(validate(blob)).toBe(false);
  });

  it('rejects fields the contract does not name, ids of the wrong kind, and slots that do not exist', () => {
    const validate = validatorOf('trust.rollover_scheduled.v1');
    const extra = envelopeOf('trust.rollover_scheduled.v1');
    extra.data.privateKey = 'nope';
    expect(validate(extra)).toBe(false);
    const wrongId = envelopeOf('trust.rollover_scheduled.v1');
    wrongId.data.nextCertificateId = PARTNER;
    expect(validate(wrongId)).toBe(false);
    const wrongSlot = envelopeOf('trust.rollover_scheduled.v1');
    wrongSlot.data.slots = ['encryption', 'archive'];
    expect(validate(wrongSlot)).toBe(false);
  });
});
