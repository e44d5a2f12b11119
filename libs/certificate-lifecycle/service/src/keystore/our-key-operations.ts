import { Inject, Injectable } from '@nestjs/common';
import {
  As2Error,
  buildAs2MessageAsync,
  checkSignedAttributes,
  createDetachedSignature,
  decryptEnveloped,
  handleAs2Request,
  keyPairSigner,
  unwrapWithKeyPairs,
  type As2Certificate,
  type As2Decryptor,
  type As2Signer,
  type BuildAs2MessageOptions,
  type DigestAlgorithm,
  type HandleAs2RequestOptions,
  type HandledAs2Request,
  type KeyTransportRecipient,
  type OutgoingAs2Message,
} from '@as2-partners/as2';
import { assertKeyAlias, OurKeyErrorCode } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, DomainError, type Clock } from '@as2-partners/kernel';
import { OurKeystore } from './our-keystore';

/** Whose keystore: an AS2 instance's tenant (null: account-level) and the instance's `my_as2_alias`. */
export interface KeyAliasRef {
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
}

export interface SignatureResult {
  /** CMS SignedData (DER), detached: the application/pkcs7-signature part of a multipart/signed entity. */
  readonly signature: Buffer;
  readonly keyId: string;
  readonly certificateFingerprintSha256: string;
}

export interface AttributesSignatureResult {
  /** RSASSA-PKCS1-v1_5 signature value over the signed attributes (not a CMS structure). */
  readonly signature: Buffer;
  /** The certificate of the key that signed (what the SignerInfo names and the SignedData carries). */
  readonly certificate: As2Certificate;
  /** Its issuers, the SignedData carries them after it (an imported key's CA chain; none for a self-signed one). */
  readonly chain: readonly As2Certificate[];
  readonly keyId: string;
}

export interface UnwrappedKeysResult {
  readonly candidates: readonly { readonly key: Buffer; readonly certificate: As2Certificate; readonly keyId: string }[];
  readonly matched: boolean;
  readonly certificates: readonly As2Certificate[];
}

/** How far a caller's signing-time may be from this service's clock (clock skew between pods, a slow call). */
const SIGNING_TIME_TOLERANCE_MS = 5 * 60_000;

export interface DecryptionResult {
  readonly content: Buffer;
  readonly keyId: string;
  readonly cipher: string;
}

function cmsError(error: unknown): DomainError {
  // Addressed to a certificate the alias no longer decrypts for (past the overlap) is a failed decryption, not bad input.
  if (error instanceof As2Error && (error.code === 'DECRYPTION_FAILED' || error.code === 'RECIPIENT_MISMATCH')) {
    return new DomainError(OurKeyErrorCode.DecryptionFailed, error.message, undefined, { reason: error.code });
  }
  if (error instanceof As2Error) return new DomainError(OurKeyErrorCode.InvalidCms, error.message, undefined, { reason: error.code });
  return new DomainError(OurKeyErrorCode.InvalidCms, 'The data is not a CMS structure this keystore can open');
}

/**
 * The port other services use to sign and decrypt as one of our AS2 identities without ever holding its key: the key
 * is unsealed inside this service for the one operation and dropped. In one process (all-in-one, connection tester)
 * it is called directly; across processes through the internal routes (`/internal/v1/keys/{alias}/…`).
 */
@Injectable()
export class OurKeyOperations {
  constructor(
    private readonly keystore: OurKeystore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private scope(ref: KeyAliasRef) {
    return { account: ref.account, tenant: ref.tenant, alias: assertKeyAlias(ref.alias) };
  }

  /** A detached CMS signature over `content` with the alias's current key (RSA PKCS#1 v1.5, signed attributes, certificate included). */
  async sign(ref: KeyAliasRef, content: Buffer, algorithm: DigestAlgorithm): Promise<SignatureResult> {
    const key = await this.keystore.signingKey(this.scope(ref));
    const signature = createDetachedSignature([content], key.keyPair, algorithm, this.clock.now());
    return { signature, keyId: key.keyId, certificateFingerprintSha256: key.keyPair.certificate.fingerprint.replace(/:/g, '').toLowerCase() };
  }

  /**
   * The external-signer hook's one operation: an RSA PKCS#1 v1.5 signature over CMS signed attributes the caller
   * assembled. Only such attributes (content-type, a message-digest of the algorithm's length, a signing-time near this
   * clock) are signed, so the key cannot be made to sign a certificate, a CSR or anything else.
   */
  async signAttributes(ref: KeyAliasRef, signedAttributes: Buffer, algorithm: DigestAlgorithm): Promise<AttributesSignatureResult> {
    try {
      checkSignedAttributes(signedAttributes, algorithm, this.clock.now(), SIGNING_TIME_TOLERANCE_MS);
    } catch (error) {
      throw new DomainError(OurKeyErrorCode.InvalidSignedAttributes, error instanceof Error ? error.message : 'The bytes to sign are not CMS signed attributes', 'signed_attributes');
    }
    const key = await this.keystore.signingKey(this.scope(ref));
    const { signature } = await keyPairSigner(key.keyPair).signAttributes(signedAttributes, algorithm);
    return { signature, certificate: key.keyPair.certificate, chain: key.keyPair.chain ?? [], keyId: key.keyId };
  }

  /**
   * The external-decryptor hook's one operation: RSA key transport of a message's content-encryption key with the
   * alias's current key or, during the overlap, its previous one (implicit rejection: a wrong key gives random bytes).
   */
  async unwrapContentKey(ref: KeyAliasRef, recipients: readonly KeyTransportRecipient[], keyLength: number): Promise<UnwrappedKeysResult> {
    const keys = await this.keystore.decryptionKeys(this.scope(ref));
    const unwrapped = unwrapWithKeyPairs(keys.map((k) => k.keyPair), recipients, keyLength);
    const keyIdOf = (certificate: As2Certificate) => keys.find((k) => k.keyPair.certificate.fingerprint === certificate.fingerprint)?.keyId ?? keys[0].keyId;
    return { candidates: unwrapped.candidates.map((c) => ({ ...c, keyId: keyIdOf(c.certificate) })), matched: unwrapped.matched, certificates: unwrapped.certificates };
  }

  /** Whether the alias has a current key to sign with (a caller's check before it starts work that needs one). */
  async hasSigningKey(ref: KeyAliasRef): Promise<boolean> {
    try {
      await this.keystore.signingKey(this.scope(ref));
      return true;
    } catch (error) {
      if (error instanceof DomainError && (error.code === OurKeyErrorCode.KeyNotFound || error.code === OurKeyErrorCode.InvalidKeyAlias)) return false;
      throw error;
    }
  }

  /** The alias as libs/as2's signer hook, in this process. */
  signer(ref: KeyAliasRef): As2Signer {
    return {
      signAttributes: async (signedAttributes, algorithm) => {
        const signed = await this.signAttributes(ref, signedAttributes, algorithm);
        return { signature: signed.signature, certificates: [signed.certificate, ...signed.chain] };
      },
    };
  }

  /** The alias as libs/as2's decryptor hook, in this process. */
  decryptor(ref: KeyAliasRef): As2Decryptor {
    return { unwrapContentKey: (recipients, keyLength) => this.unwrapContentKey(ref, recipients, keyLength) };
  }

  /** Opens a CMS EnvelopedData (DER) addressed to the alias's current key or, during the overlap, its previous one. */
  async decrypt(ref: KeyAliasRef, enveloped: Buffer): Promise<DecryptionResult> {
    const keys = await this.keystore.decryptionKeys(this.scope(ref));
    try {
      const opened = decryptEnveloped(enveloped, keys.map((k) => k.keyPair));
      const key = keys.find((k) => k.keyPair.certificate.fingerprint === opened.recipient.fingerprint) ?? keys[0];
      return { content: opened.content, keyId: key.keyId, cipher: opened.cipher };
    } catch (error) {
      throw cmsError(error);
    }
  }

  /** An AS2 message signed as the alias (libs/as2 builds it here, with the key that never leaves). */
  async buildAs2Message(ref: KeyAliasRef, options: Omit<BuildAs2MessageOptions, 'sign'> & { sign?: { algorithm: DigestAlgorithm } }): Promise<OutgoingAs2Message> {
    const { sign, ...rest } = options;
    // Dated by this service's clock unless the caller dates it: the signing-time the hook checks against the same clock.
    return buildAs2MessageAsync({ date: this.clock.now(), ...rest, ...(sign ? { sign: { signer: this.signer(ref), algorithm: sign.algorithm } } : {}) });
  }

  /** Receives an AS2 message addressed to the alias: decrypts with its keys and signs the MDN as it. */
  async handleAs2Request(ref: KeyAliasRef, options: Omit<HandleAs2RequestOptions, 'decryptionKeys' | 'mdnSigner'>): Promise<HandledAs2Request> {
    const scope = this.scope(ref);
    const keys = await this.keystore.decryptionKeys(scope);
    return handleAs2Request({ ...options, decryptionKeys: keys.map((k) => k.keyPair), mdnSigner: keys[0].keyPair });
  }
}
