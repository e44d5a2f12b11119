import { micAlgorithmName, type ContentCipher, type DigestAlgorithm } from '../crypto/algorithms';
import { digest } from '../crypto/crypto-primitives';
import { As2Error } from '../errors/as2-error';
import { entityChunks, type OutgoingEntity } from '../mime/mime-entity';
import type { As2Certificate } from '../pki/certificate';
import type { As2KeyPair } from '../pki/private-key';
import { createDetachedSignature, createDetachedSignatureWith } from '../cms/signed-data';
import { keyPairSigner, type As2Signer } from '../external/as2-signer';
import { quoteAs2Name } from './as2-name';
import { newMessageId, validateMessageId } from './message-id';
import { compressedEntity, envelopedEntity, payloadEntity, signedEntity } from './outgoing-entities';
import { formatRfc5322Date } from './rfc5322-date';

export const as2Version = '1.2';

export interface BuildAs2MessageOptions {
  readonly payload: Buffer;
  /** Sent in Content-Disposition so the receiver can store the file under its name. */
  readonly fileName?: string;
  /** Default application/octet-stream; EDI usually application/edi-x12, application/edifact or application/xml. */
  readonly contentType?: string;
  readonly as2From: string;
  readonly as2To: string;
  /** The sender's contact email address, sent as From (RFC 9110 §10.1.2: a robotic user agent SHOULD send one); absent: no From. */
  readonly from?: string;
  readonly subject?: string;
  /** `<left@right>`; generated when absent. */
  readonly messageId?: string;
  readonly messageIdDomain?: string;
  readonly date?: Date;
  readonly sign?: { readonly keyPair: As2KeyPair; readonly algorithm: DigestAlgorithm };
  readonly encrypt?: { readonly certificate: As2Certificate; readonly algorithm: ContentCipher };
  /** RFC 5402: compress the payload before signing it, or compress the signed entity. */
  readonly compress?: 'before-signing' | 'after-signing';
  /** Ask for a receipt: synchronous unless `asyncUrl`; signed when `signed` is given. */
  readonly mdn?: {
    /** Disposition-Notification-To (RFC 4130 §7.3: the requester's address, e.g. our email); absent: `asyncUrl`, else a placeholder. */
    readonly returnAddress?: string;
    readonly signed?: { readonly micAlgorithms: readonly DigestAlgorithm[]; readonly importance?: 'required' | 'optional' };
    readonly asyncUrl?: string;
  };
  /** Algorithm of the MIC we expect back; default: the signing digest (RFC 4130 §7.4.3), else the first requested MIC algorithm, else SHA-1 (§7.4.3 for unsigned messages). */
  readonly micAlgorithm?: DigestAlgorithm;
}

export interface Mic {
  /** base64 of the digest, as in Received-Content-MIC. */
  readonly value: string;
  readonly algorithm: DigestAlgorithm;
}

export interface OutgoingAs2Message {
  /** With angle brackets, as in the Message-ID header. */
  readonly messageId: string;
  /** HTTP headers to send (AS2 headers and the outer MIME headers). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The MIC the partner must return in its MDN (RFC 4130 §7.3.1). */
  readonly mic: Mic;
  /** The same content's MIC in another algorithm: what a partner that took another digest must have returned. */
  readonly micIn: (algorithm: DigestAlgorithm) => Mic;
}

function dispositionOptions(signed: NonNullable<NonNullable<BuildAs2MessageOptions['mdn']>['signed']>): string {
  const importance = signed.importance ?? 'optional';
  const algorithms = signed.micAlgorithms.length > 0 ? signed.micAlgorithms : (['sha256'] as const);
  return `signed-receipt-protocol=${importance}, pkcs7-signature; signed-receipt-micalg=${importance}, ${algorithms.map(micAlgorithmName).join(', ')}`;
}

/** The same options, signed by an external signer (a keystore in another process) or a key pair. */
export type BuildAs2MessageWithSignerOptions = Omit<BuildAs2MessageOptions, 'sign'> & {
  readonly sign?: { readonly signer: As2Signer; readonly algorithm: DigestAlgorithm } | { readonly keyPair: As2KeyPair; readonly algorithm: DigestAlgorithm };
};

/** What the build needs signed: the exact bytes of the first part of multipart/signed. */
interface SignatureRequest {
  readonly content: readonly Buffer[];
  readonly algorithm: DigestAlgorithm;
  readonly signingTime: Date;
}

/** Builds an AS2 message: payload → [compress] → [sign] → [compress] → [encrypt], with the AS2 headers. */
export function buildAs2Message(options: BuildAs2MessageOptions): OutgoingAs2Message {
  const steps = buildSteps(options, options.sign?.algorithm);
  let step = steps.next();
  while (!step.done) {
    const { content, algorithm, signingTime } = step.value;
    step = steps.next(createDetachedSignature(content, (options.sign as NonNullable<BuildAs2MessageOptions['sign']>).keyPair, algorithm, signingTime));
  }
  return step.value;
}

/** Builds an AS2 message whose signature is computed by `sign.signer` (only the signed attributes reach it); otherwise as buildAs2Message. */
export async function buildAs2MessageAsync(options: BuildAs2MessageWithSignerOptions): Promise<OutgoingAs2Message> {
  const sign = options.sign;
  const signer = sign ? ('signer' in sign ? sign.signer : keyPairSigner(sign.keyPair)) : undefined;
  const steps = buildSteps(options, sign?.algorithm);
  let step = steps.next();
  while (!step.done) {
    const { content, algorithm, signingTime } = step.value;
    step = steps.next(await createDetachedSignatureWith(content, signer as As2Signer, algorithm, signingTime));
  }
  return step.value;
}

/** The build as one sequence both variants share; it yields once, for the signature, when the message is signed. */
function* buildSteps(options: Omit<BuildAs2MessageOptions, 'sign'>, signAlgorithm: DigestAlgorithm | undefined): Generator<SignatureRequest, OutgoingAs2Message, Buffer> {
  if (!Buffer.isBuffer(options.payload)) throw new As2Error('INVALID_ARGUMENT', 'The payload must be a Buffer (binary EDI must not go through strings).');
  const date = options.date ?? new Date();
  const messageId = validateMessageId(options.messageId ?? newMessageId(options.messageIdDomain));
  // RFC 4130 §7.4.3: the partner returns a signed message's MIC in the signature's digest, whatever micalg we ask for;
  // an unsigned message's in SHA-1 ("SHOULD"), unless we asked for another.
  const micAlgorithm = options.micAlgorithm ?? signAlgorithm ?? options.mdn?.signed?.micAlgorithms[0] ?? 'sha1';
  const headers: Record<string, string> = {
    'AS2-Version': as2Version,
    'AS2-From': quoteAs2Name(options.as2From),
    'AS2-To': quoteAs2Name(options.as2To),
    'Message-ID': messageId,
    Subject: options.subject ?? 'AS2 Message',
    Date: formatRfc5322Date(date),
    'MIME-Version': '1.0',
  };
  if (options.from !== undefined) headers['From'] = options.from;
  if (options.mdn) {
    headers['Disposition-Notification-To'] = options.mdn.returnAddress ?? options.mdn.asyncUrl ?? 'as2@as2-partners.local';
    if (options.mdn.signed) headers['Disposition-Notification-Options'] = dispositionOptions(options.mdn.signed);
    if (options.mdn.asyncUrl) headers['Receipt-Delivery-Option'] = options.mdn.asyncUrl;
  }

  const payload = payloadEntity(options.payload, options.contentType ?? 'application/octet-stream', options.fileName);
  let entity: OutgoingEntity = payload;
  let micContent: readonly Buffer[];
  if (options.compress && (options.compress === 'before-signing' || !signAlgorithm)) entity = compressedEntity(entity);
  if (signAlgorithm) {
    const signedContent = entityChunks(entity);
    const signature: Buffer = yield { content: signedContent, algorithm: signAlgorithm, signingTime: date };
    micContent = signedContent;
    entity = signedEntity(signedContent, signature, signAlgorithm);
    if (options.compress === 'after-signing') entity = compressedEntity(entity);
  } else {
    // RFC 4130 §7.3.1 / RFC 5402 §4: unsigned but encrypted or compressed → the payload entity with its headers; plain → the content only.
    micContent = options.encrypt || options.compress ? entityChunks(payload) : [options.payload];
  }
  const micIn = (algorithm: DigestAlgorithm): Mic => ({ value: digest(algorithm, micContent).toString('base64'), algorithm });
  const mic = micIn(micAlgorithm);
  if (options.encrypt) entity = envelopedEntity(entity, options.encrypt.certificate, options.encrypt.algorithm);

  for (const header of entity.headers) headers[header.name] = header.value;
  const total = entity.body.reduce((n, c) => n + c.length, 0);
  const body = entity.body.length === 1 ? entity.body[0] : Buffer.concat(entity.body as Buffer[], total);
  return { messageId, headers, body, mic, micIn };
}
