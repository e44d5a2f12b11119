import { Inject, Injectable, Optional } from '@nestjs/common';
import { As2Certificate, type ContentCipher, type DigestAlgorithm } from '@as2-partners/as2';
import { ConnectionTesterErrorCode as Code, type TestType } from '@as2-partners/connection-tester-domain';
import { DomainError, READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { CONNECTION_TESTER_CONFIG, type ConnectionTesterConfig } from '../config/connection-tester.config';
import { unsignedMessageBuilder, type As2ExchangePlan } from '../probes/as2-exchange-test';
import type { EndpointTarget } from '../probes/endpoint-probe';
import { currentIn, nextIn, type PartnerCertificatesDocument, type SlotName, type TesterCertificateDocument } from '../reactions/certificate-lifecycle-events/partner-certificate-slots';
import {
  TesterCollections,
  type OurInstanceDocument,
  type PartnershipDocument,
  type PartnershipOverrides,
  type TestedPartnerDocument,
  type TesterStationDocument,
} from '../reactions/partner-registry-events/tested-partner.documents';
import { PartnerHttpAuth } from '../partner-access/partner-http-auth';
import { OUR_AS2_SIGNER, type OurAs2Signer } from './our-as2-signer.port';

export type CertificateSet = 'current' | 'next';

/** Everything a run needs, resolved before it is reserved: a test that cannot start costs nothing of the hour. */
export interface PreparedTest {
  readonly target: EndpointTarget;
  readonly exchange: Omit<As2ExchangePlan, 'testId' | 'now' | 'asyncMdn'> & { readonly asyncMdn: boolean };
  /** Timeline steps known before connecting (e.g. HTTP auth the tester cannot use). */
  readonly notes: readonly { readonly step: string; readonly details: string }[];
}

const SIGN_DIGESTS: Readonly<Record<string, DigestAlgorithm>> = {
  SHA1withRSA: 'sha1',
  SHA256withRSA: 'sha256',
  SHA384withRSA: 'sha384',
  SHA512withRSA: 'sha512',
};

const CIPHERS: Readonly<Record<string, ContentCipher>> = {
  '3DES': 'des-ede3-cbc',
  AES128_CBC: 'aes-128-cbc',
  AES192_CBC: 'aes-192-cbc',
  AES256_CBC: 'aes-256-cbc',
};

/** A partner's MDN settings: whether it signs its MDNs (an unsigned one is then no failure) and their MIC algorithm (else the signing one's). */
function mdnOf(partner: TestedPartnerDocument, signingMic: DigestAlgorithm): As2ExchangePlan['mdn'] {
  return { signed: partner.mdnSigned, micAlgorithm: SIGN_DIGESTS[partner.mdnAlgorithm ?? ''] ?? signingMic };
}

function certificateRequired(what: string): DomainError {
  return new DomainError(Code.CertificateRequired, `Certificate required for this test: ${what}`);
}

/** An instance the caller's tenant may use: its own or its account's, not deleted. */
function visibleTo(scope: { readonly account: string; readonly tenant: string }, instance: OurInstanceDocument | null): instance is OurInstanceDocument {
  return instance !== null && !instance.deleted && instance.account === scope.account && (instance.tenant === null || instance.tenant === scope.tenant);
}

/** The instance's my_email when it can travel in a header (the registry's API allows no other); null: none known (a document stored before the tester learned it, until a rebuild). */
function emailOf(instance: OurInstanceDocument): string | null {
  return instance.email && /^[\x21-\x7e]{1,254}$/.test(instance.email) ? instance.email : null;
}

/** 422 AS2_INSTANCE_OFF: the test would send as an identity that is switched off (traffic-control rejects its messages too). */
function instanceOff(instance: OurInstanceDocument): DomainError {
  return new DomainError(Code.As2InstanceOff, `Our AS2 instance ${instance.as2Id} is off: it neither sends nor receives, so no test message is sent as it`, 'as2_instance_id');
}

/** Turns a partner, our instance and the certificates into a runnable test, or the 4xx saying why it cannot run. */
@Injectable()
export class TestSetup {
  private readonly instances: ReadModelCollection<OurInstanceDocument>;
  private readonly partnerships: ReadModelCollection<PartnershipDocument>;
  private readonly stations: ReadModelCollection<TesterStationDocument>;
  private readonly certificates: ReadModelCollection<TesterCertificateDocument>;
  private readonly slots: ReadModelCollection<PartnerCertificatesDocument>;

  constructor(
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(CONNECTION_TESTER_CONFIG) private readonly config: ConnectionTesterConfig,
    private readonly httpAuth: PartnerHttpAuth,
    @Optional() @Inject(OUR_AS2_SIGNER) private readonly signer?: OurAs2Signer,
  ) {
    this.instances = readModels.collection(TesterCollections.instances);
    this.partnerships = readModels.collection(TesterCollections.partnerships);
    this.stations = readModels.collection(TesterCollections.stations);
    this.certificates = readModels.collection(TesterCollections.certificates);
    this.slots = readModels.collection(TesterCollections.partnerCertificates);
  }

  async prepare(
    partner: TestedPartnerDocument,
    scope: { readonly account: string; readonly tenant: string },
    testType: TestType,
    options: { readonly instanceId?: string; readonly certificates: CertificateSet },
  ): Promise<PreparedTest> {
    const slots = await this.slots.get(partner._id);
    if (options.certificates === 'next' && (!slots || Object.keys(slots.next).length === 0)) {
      throw new DomainError(Code.NoNextCertificates, 'The partner has no scheduled next certificates (no rollover window, no backup) to test with', 'certificates');
    }
    const pick = (slot: SlotName) => (slots ? (options.certificates === 'next' ? nextIn(slots, slot) : currentIn(slots, slot)) : null);
    const pem = async (slot: SlotName) => {
      const id = pick(slot);
      return id ? ((await this.certificates.get(id))?.pem ?? null) : null;
    };
    const timeoutSeconds = Math.min(partner.timeoutSeconds, this.config.maxTimeoutSeconds);
    const notes: { step: string; details: string }[] = [];
    // Only the header travels on: the password is never part of what a test records.
    const { authorization, note } = partner.httpAuthEnabled ? await this.httpAuth.forPartner(scope.account, scope.tenant, partner._id) : { authorization: null, note: null };
    if (note) notes.push({ step: 'HTTP authentication', details: note });
    const target: EndpointTarget = { url: new URL(partner.url), timeoutMs: timeoutSeconds * 1000, pinnedTlsCertificate: await pem('tls'), authorization };
    const signatureCertificate = await pem('signature');
    const partnerSignatureCertificates = signatureCertificate ? [As2Certificate.from(signatureCertificate)] : [];
    const micAlgorithm = SIGN_DIGESTS[partner.signAlgorithm ?? ''] ?? 'sha256';
    const base = { testType: testType === 'full' ? ('full' as const) : ('mdn' as const), as2To: partner.as2Id, micAlgorithm, mdn: mdnOf(partner, micAlgorithm), partnerSignatureCertificates, build: unsignedMessageBuilder };
    if (testType === 'ping') {
      // A ping sends no AS2 headers, so needs no instance; one named must still be one of the caller's.
      if (options.instanceId !== undefined) await this.askedInstance(options.instanceId, scope);
      return { target, exchange: { ...base, as2From: '', ourEmail: null, sign: null, encrypt: null, compress: false, authorization, asyncMdn: false }, notes };
    }
    const { instance, overrides } = await this.instanceFor(partner, scope, options.instanceId);
    // The pair's own settings win over the partner's (a partnership may, e.g., turn compression on for this pair only).
    const pair: TestedPartnerDocument = { ...partner, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) };
    const pairMic = SIGN_DIGESTS[pair.signAlgorithm ?? ''] ?? 'sha256';
    if (testType === 'mdn') {
      return { target, exchange: { ...base, as2From: instance.as2Id, ourEmail: emailOf(instance), sign: null, encrypt: null, compress: false, authorization, asyncMdn: false }, notes };
    }
    let encrypt: As2ExchangePlan['encrypt'] = null;
    if (pair.encrypt) {
      const encryption = await pem('encryption');
      if (!encryption) throw certificateRequired(`the partner encrypts, but its encryption slot holds no ${options.certificates} certificate`);
      encrypt = { certificate: As2Certificate.from(encryption), algorithm: CIPHERS[pair.encryptAlgorithm ?? ''] ?? 'aes-256-cbc' };
    }
    let sign: As2ExchangePlan['sign'] = null;
    let build = base.build;
    if (pair.sign) {
      const signer = this.signer;
      const alias = instance.keyAlias;
      if (!signer || !alias) {
        throw new DomainError(Code.SigningKeyUnavailable, `Our AS2 instance ${instance.as2Id} has no signing key the tester can use${alias ? ` (alias ${alias}: no keystore in reach)` : ' (no key alias)'}`);
      }
      // An account-level instance (tenant null) signs with the account's key, whichever tenant tests through it: a tenant's
      // own key of the same alias signs for its own instances only (docs/certificate-lifecycle.md, the instance details).
      const ref = { account: instance.account, tenant: instance.tenant, alias };
      if (signer.hasSigningKey && !(await signer.hasSigningKey(ref))) {
        throw new DomainError(Code.SigningKeyUnavailable, `Our AS2 instance ${instance.as2Id} has no signing key: the keystore holds no current key for the alias ${alias}`);
      }
      sign = { algorithm: pairMic };
      // Signed by the keystore's service: the private key never reaches the tester.
      build = (message) => signer.buildAs2Message(ref, message);
    }
    const asyncMdn = pair.mdnMode === 'async';
    if (asyncMdn && this.config.receiptUrl === null) {
      throw new DomainError('ASYNC_MDN_UNAVAILABLE', 'The partner sends asynchronous MDNs, but CONNECTION_TEST_RECEIPT_URL (where they would arrive) is not set');
    }
    return { target, exchange: { ...base, micAlgorithm: pairMic, mdn: mdnOf(pair, pairMic), build, as2From: instance.as2Id, ourEmail: emailOf(instance), sign, encrypt, compress: pair.compress, authorization, asyncMdn }, notes };
  }

  /**
   * 422 AS2_INSTANCE_REQUIRED unless a partnership names our instance for the partner, or its station a default identity
   * (what monitoring's mdn tests send as: they take no `as2_instance_id`, so the refusal names the field they have,
   * `test_type`, and the ways out).
   */
  async requireInstanceFor(partner: TestedPartnerDocument, scope: { account: string; tenant: string }): Promise<void> {
    try {
      await this.instanceFor(partner, scope, undefined);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== Code.As2InstanceRequired) throw error;
      throw new DomainError(Code.As2InstanceRequired, "No partnership names our AS2 instance for this partner, nor does its station give a default identity: an mdn test sends as it, so create the partnership or set the station's as2_instance_id first (or monitor with test_type ping)", 'test_type');
    }
  }

  /** The instance a caller named: its tenant's or its account's, live; else 404 AS2_INSTANCE_NOT_FOUND (another tenant's too). */
  private async askedInstance(instanceId: string, scope: { account: string; tenant: string }): Promise<OurInstanceDocument> {
    const asked = await this.instances.get(instanceId);
    if (!visibleTo(scope, asked)) throw new DomainError('AS2_INSTANCE_NOT_FOUND', `AS2 instance ${instanceId} not found`);
    return asked;
  }

  /** Our instance: the one asked for (the caller's tenant's or the account's), else the partnership's, else the partner's station's default identity. */
  private async instanceFor(
    partner: TestedPartnerDocument,
    scope: { account: string; tenant: string },
    instanceId: string | undefined,
  ): Promise<{ instance: OurInstanceDocument; overrides: PartnershipOverrides }> {
    const partnerships = (await this.partnerships.find({ filter: { partnerId: partner._id, account: scope.account, tenant: scope.tenant, deleted: false } })).items;
    if (instanceId !== undefined) {
      const asked = await this.askedInstance(instanceId, scope);
      if (asked.status === 'off') throw instanceOff(asked);
      return { instance: asked, overrides: partnerships.find((p) => p.instanceId === instanceId)?.overrides ?? {} };
    }
    let off: OurInstanceDocument | null = null;
    for (const partnership of partnerships) {
      const instance = await this.instances.get(partnership.instanceId);
      if (!visibleTo(scope, instance)) continue;
      // An instance that is off neither sends nor receives (seed 001): a test never sends as it.
      if (instance.status === 'off') off ??= instance;
      else return { instance, overrides: partnership.overrides ?? {} };
    }
    if (off !== null) throw instanceOff(off);
    const byStation = await this.stationInstanceOf(partner, scope);
    if (byStation !== null) {
      if (byStation.status === 'off') throw instanceOff(byStation);
      return { instance: byStation, overrides: {} };
    }
    throw new DomainError(Code.As2InstanceRequired, "No partnership names our AS2 instance for this partner, nor does its station give a default identity: give as2_instance_id (or set the station's as2_instance_id)", 'as2_instance_id');
  }

  /** The default identity of the partner's station (the tenant's own: a master's through the tenant's override), if it names one the tenant may use. */
  private async stationInstanceOf(partner: TestedPartnerDocument, scope: { account: string; tenant: string }): Promise<OurInstanceDocument | null> {
    if (!partner.stationId) return null;
    const station = await this.stations.get(partner.stationId);
    if (!station || station.deleted || station.account !== scope.account || station.tenant !== scope.tenant || station.as2InstanceId === null) return null;
    const instance = await this.instances.get(station.as2InstanceId);
    return visibleTo(scope, instance) ? instance : null;
  }
}
