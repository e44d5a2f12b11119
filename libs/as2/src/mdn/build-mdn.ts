import { micAlgorithmName, type DigestAlgorithm } from '../crypto/algorithms';
import { entityChunks, type OutgoingEntity } from '../mime/mime-entity';
import { joinMultipart, newBoundary } from '../mime/multipart';
import type { As2KeyPair } from '../pki/private-key';
import type { As2Envelope } from '../message/as2-envelope';
import { quoteAs2Name } from '../message/as2-name';
import { as2Version, type Mic } from '../message/build-as2-message';
import { newMessageId } from '../message/message-id';
import { signedEntity } from '../message/outgoing-entities';
import { createDetachedSignature, createDetachedSignatureWith } from '../cms/signed-data';
import type { As2Signer } from '../external/as2-signer';
import { formatRfc5322Date } from '../message/rfc5322-date';
import { formatDisposition, type MdnDisposition } from './mdn-disposition';

export interface BuildMdnOptions {
  /** The AS2 headers of the message being answered. */
  readonly envelope: As2Envelope;
  readonly disposition: MdnDisposition;
  /** Received-Content-MIC; give it whenever the content could be read. */
  readonly mic?: Mic;
  /** Our key pair; the MDN is signed with it when the sender asked for a signed receipt. */
  readonly signer?: As2KeyPair;
  /** 'as-requested' (default): sign only when asked and a signer is given. */
  readonly sign?: 'as-requested' | 'always' | 'never';
  /** Human-readable first part. */
  readonly text?: string;
  readonly reportingUa?: string;
  readonly messageIdDomain?: string;
  readonly date?: Date;
}

export interface OutgoingMdn {
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly signed: boolean;
  /** Where to POST it when the sender asked for an asynchronous MDN; undefined → answer in the HTTP response. */
  readonly asyncUrl?: string;
  /** The Disposition field sent. */
  readonly disposition: string;
}

function defaultText(disposition: MdnDisposition, envelope: As2Envelope): string {
  switch (disposition.type) {
    case 'processed':
      return `The AS2 message ${envelope.messageId} has been received and processed.`;
    case 'processed/warning':
      return `The AS2 message ${envelope.messageId} has been processed with a warning: ${disposition.warning}.`;
    case 'processed/error':
      return `The AS2 message ${envelope.messageId} could not be processed: ${disposition.error}.`;
    case 'failed/failure':
      return `The AS2 message ${envelope.messageId} failed: ${disposition.failure}.`;
  }
}

/** The same options, signed by an external signer (a keystore in another process). */
export type BuildMdnWithSignerOptions = Omit<BuildMdnOptions, 'signer'> & { readonly signer?: As2Signer };

/** Builds the MDN (RFC 3798 multipart/report, RFC 4130 §7.4) answering `envelope`, signed when requested. */
export function buildMdn(options: BuildMdnOptions): OutgoingMdn {
  const steps = mdnSteps(options, options.signer !== undefined);
  let step = steps.next();
  while (!step.done) step = steps.next(createDetachedSignature(step.value.content, options.signer as As2KeyPair, step.value.algorithm, step.value.signingTime));
  return step.value;
}

/** buildMdn with the signature computed by `signer` (only the signed attributes reach it). */
export async function buildMdnAsync(options: BuildMdnWithSignerOptions): Promise<OutgoingMdn> {
  const steps = mdnSteps(options, options.signer !== undefined);
  let step = steps.next();
  while (!step.done) step = steps.next(await createDetachedSignatureWith(step.value.content, options.signer as As2Signer, step.value.algorithm, step.value.signingTime));
  return step.value;
}

function* mdnSteps(
  options: Omit<BuildMdnOptions, 'signer'>,
  hasSigner: boolean,
): Generator<{ content: readonly Buffer[]; algorithm: DigestAlgorithm; signingTime: Date }, OutgoingMdn, Buffer> {
  const { envelope } = options;
  const date = options.date ?? new Date();
  const messageId = newMessageId(options.messageIdDomain);
  const disposition = formatDisposition(options.disposition);
  const fields = [
    `Reporting-UA: ${options.reportingUa ?? 'as2-partners'}`,
    `Original-Recipient: rfc822; ${quoteAs2Name(envelope.as2To)}`,
    `Final-Recipient: rfc822; ${quoteAs2Name(envelope.as2To)}`,
    `Original-Message-ID: ${envelope.messageId}`,
    ...(options.mic ? [`Received-Content-MIC: ${options.mic.value}, ${micAlgorithmName(options.mic.algorithm)}`] : []),
    `Disposition: ${disposition}`,
  ];
  const text = (options.text ?? defaultText(options.disposition, envelope)).replace(/\r?\n/g, '\r\n');
  const boundary = newBoundary();
  const report: OutgoingEntity = {
    headers: [{ name: 'Content-Type', value: `multipart/report; report-type=disposition-notification; boundary="${boundary}"` }],
    body: joinMultipart(
      [
        entityChunks({ headers: [{ name: 'Content-Type', value: 'text/plain; charset=us-ascii' }, { name: 'Content-Transfer-Encoding', value: '7bit' }], body: [Buffer.from(text + '\r\n', 'utf8')] }),
        entityChunks({ headers: [{ name: 'Content-Type', value: 'message/disposition-notification' }, { name: 'Content-Transfer-Encoding', value: '7bit' }], body: [Buffer.from(fields.join('\r\n') + '\r\n', 'latin1')] }),
      ],
      boundary,
    ),
  };
  const mode = options.sign ?? 'as-requested';
  const wantsSigned = mode === 'always' || (mode === 'as-requested' && envelope.mdnRequest?.signed !== undefined);
  const signed = wantsSigned && hasSigner;
  const algorithm: DigestAlgorithm = envelope.mdnRequest?.signed?.micAlgorithms[0] ?? options.mic?.algorithm ?? 'sha256';
  let entity = report;
  if (signed) {
    const content = entityChunks(report);
    entity = signedEntity(content, yield { content, algorithm, signingTime: date }, algorithm);
  }
  const headers: Record<string, string> = {
    'AS2-Version': as2Version,
    'AS2-From': quoteAs2Name(envelope.as2To),
    'AS2-To': quoteAs2Name(envelope.as2From),
    'Message-ID': messageId,
    Subject: `Message Disposition Notification`,
    Date: formatRfc5322Date(date),
    'MIME-Version': '1.0',
  };
  for (const header of entity.headers) headers[header.name] = header.value;
  return { messageId, headers, body: Buffer.concat(entity.body as Buffer[]), signed, asyncUrl: envelope.mdnRequest?.asyncUrl, disposition };
}
