import { parseMicAlgorithm, type DigestAlgorithm } from '../crypto/algorithms';
import { verifySignature } from '../cms/signed-data';
import { As2Error } from '../errors/as2-error';
import { withTypedFailures } from '../errors/typed-failures';
import { contentTypeOf, parseMimeEntity, type MimeEntity } from '../mime/mime-entity';
import { MimeHeaders, parseHeaderBlock, type MimeHeaders as Headers } from '../mime/mime-headers';
import { splitMultipart } from '../mime/multipart';
import { decodeTransferEncoding } from '../mime/transfer-encoding';
import type { As2Certificate } from '../pki/certificate';
import type { IncomingHeaders } from '../message/as2-envelope';
import type { Mic } from '../message/build-as2-message';
import { defaultMaxMessageBytes } from '../message/receive-as2-message';
import { sameMessageId } from '../message/message-id';
import { parseDisposition, type ParsedDisposition } from './mdn-disposition';

export type MdnStatus = 'delivered' | 'delivered-with-warning' | 'failed' | 'mic-mismatch' | 'bad-signature' | 'message-id-mismatch';

export interface MdnResult {
  readonly status: MdnStatus;
  /** One sentence an operator can act on. */
  readonly reason: string;
  readonly mdnMessageId?: string;
  readonly originalMessageId?: string;
  readonly disposition: ParsedDisposition;
  readonly receivedMic?: { readonly value: string; readonly algorithmName: string; readonly algorithm?: DigestAlgorithm };
  /** Signed: verified with `signer`, or, without one, read unverified (no partner certificate was given to check it). */
  readonly signed: boolean;
  readonly signer?: As2Certificate;
  /** The human-readable part of the report. */
  readonly text?: string;
}

export interface ReadMdnOptions {
  readonly headers: IncomingHeaders;
  readonly body: Buffer;
  /** The partner's certificates that may sign its MDNs. */
  readonly partnerCertificates?: readonly As2Certificate[];
  /**
   * What we sent: the Message-ID and the MIC computed when building it. `micOptional`: an MDN without a
   * Received-Content-MIC is not a mismatch (some stacks, pyas2lib among them, return none for an unsigned message); a
   * MIC it does carry must still match.
   */
  readonly expected: { readonly messageId: string; readonly mic?: Mic; readonly micOptional?: boolean; readonly micIn?: (algorithm: DigestAlgorithm) => Mic };
  /** We asked for a signed receipt: an unsigned one is reported as bad-signature. */
  readonly requireSignature?: boolean;
  readonly maxBytes?: number;
}

interface ParsedReport {
  readonly fields: Headers;
  readonly text?: string;
  readonly signedEntity?: { readonly content: Buffer; readonly signature: Buffer };
}

/**
 * The most parts an MDN's multipart/report (two or three, RFC 6522 §3) or multipart/signed (two) is read in, and the
 * largest disposition-notification part (a few hundred bytes): a megabyte of 70,000 tiny parts, or of 120,000 report
 * fields, held the event loop 50-110 ms on the public receipt route, before any check of who sent it.
 */
const MDN_MAX_PARTS = 16;
const MDN_MAX_FIELDS_BYTES = 64 * 1024;

function parseReport(entity: MimeEntity, depth = 0): ParsedReport {
  const type = contentTypeOf(entity.headers);
  const body = decodeTransferEncoding(entity.body, entity.headers.get('content-transfer-encoding'));
  if (type.value === 'multipart/signed' && depth === 0) {
    const parts = splitMultipart(body, type.params.boundary ?? '', MDN_MAX_PARTS);
    if (parts.length < 2) throw new As2Error('MALFORMED_MDN', 'The signed MDN lacks its signature part.');
    const signaturePart = parseMimeEntity(parts[1]);
    const inner = parseReport(parseMimeEntity(parts[0]), depth + 1);
    return { ...inner, signedEntity: { content: parts[0], signature: decodeTransferEncoding(signaturePart.body, signaturePart.headers.get('content-transfer-encoding')) } };
  }
  if (type.value !== 'multipart/report') throw new As2Error('MALFORMED_MDN', `The MDN is ${type.value}, expected multipart/report or multipart/signed.`);
  let fields: Headers | undefined;
  let text: string | undefined;
  for (const raw of splitMultipart(body, type.params.boundary ?? '', MDN_MAX_PARTS)) {
    const part = parseMimeEntity(raw);
    const partType = contentTypeOf(part.headers).value;
    const partBody = decodeTransferEncoding(part.body, part.headers.get('content-transfer-encoding'));
    if (partType === 'message/disposition-notification') {
      if (fields) throw new As2Error('MALFORMED_MDN', 'The MDN has more than one message/disposition-notification part.');
      if (partBody.length > MDN_MAX_FIELDS_BYTES) throw new As2Error('MALFORMED_MDN', `The MDN's disposition-notification part is ${partBody.length} bytes; an MDN's report fields take a few hundred.`);
      fields = parseHeaderBlock(partBody);
    } else if (partType === 'text/plain' && text === undefined) text = partBody.toString('utf8').trim();
  }
  if (!fields) throw new As2Error('MALFORMED_MDN', 'The MDN has no message/disposition-notification part.');
  assertFieldsOnce(fields);
  return { fields, text };
}

/** The report fields an MDN's reading rests on, each of which RFC 3798 §3.1 (and RFC 4130 §7.4.3 for the MIC) allows once. */
const SINGLE_REPORT_FIELDS = ['Original-Message-ID', 'Disposition', 'Received-Content-MIC'] as const;

/** A report that gives one of them twice says two things at once (delivered and failed, two MICs): malformed, not read by its first. */
function assertFieldsOnce(fields: Headers): void {
  for (const name of SINGLE_REPORT_FIELDS) {
    const lower = name.toLowerCase();
    const count = fields.entries.filter((field) => field.name.toLowerCase() === lower).length;
    if (count > 1) throw new As2Error('MALFORMED_MDN', `The MDN has ${count} ${name} fields; a disposition notification has one.`);
  }
}

function readEntity(headers: IncomingHeaders, body: Buffer, maxBytes: number): MimeEntity {
  if (body.length > maxBytes) throw new As2Error('SIZE_LIMIT_EXCEEDED', `The MDN is ${body.length} bytes, above the limit of ${maxBytes} bytes.`);
  const http = MimeHeaders.fromHttp(headers);
  if (!http.get('content-type')) throw new As2Error('MALFORMED_MDN', 'The MDN response has no Content-Type header.');
  return { headers: new MimeHeaders(http.entries.filter((h) => h.name.toLowerCase().startsWith('content-'))), raw: body, body };
}

/** Reads only the Original-Message-ID, to find which sent message an asynchronous MDN answers. No verification. */
export function peekMdnOriginalMessageId(headers: IncomingHeaders, body: Buffer, maxBytes = defaultMaxMessageBytes): string {
  const report = wrapMalformed(() => parseReport(readEntity(headers, body, maxBytes)));
  const id = report.fields.get('original-message-id');
  if (!id) throw new As2Error('MALFORMED_MDN', 'The MDN has no Original-Message-ID field.');
  return id.trim();
}

function wrapMalformed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof As2Error && error.code === 'MALFORMED_MIME') throw new As2Error('MALFORMED_MDN', `The MDN is not well-formed: ${error.message}`);
    throw error;
  }
}

/** Verifies and interprets an MDN (synchronous response body or asynchronous POST) against the message we sent. */
export function readMdn(options: ReadMdnOptions): MdnResult {
  return withTypedFailures('reading the MDN', () => read(options));
}

function read(options: ReadMdnOptions): MdnResult {
  const report = wrapMalformed(() => parseReport(readEntity(options.headers, options.body, options.maxBytes ?? defaultMaxMessageBytes)));
  const rawDisposition = report.fields.get('disposition');
  if (!rawDisposition) throw new As2Error('MALFORMED_MDN', 'The MDN has no Disposition field.');
  const disposition = parseDisposition(rawDisposition);
  const originalMessageId = report.fields.get('original-message-id')?.trim();
  const micField = report.fields.get('received-content-mic');
  let receivedMic: MdnResult['receivedMic'];
  if (micField) {
    const [value, name = ''] = micField.split(',').map((s) => s.trim());
    receivedMic = { value, algorithmName: name, algorithm: parseMicAlgorithm(name) };
  }
  const base = {
    mdnMessageId: MimeHeaders.fromHttp(options.headers).get('message-id')?.trim(),
    originalMessageId,
    disposition,
    receivedMic,
    text: report.text,
  };

  let signer: As2Certificate | undefined;
  const certificates = options.partnerCertificates ?? [];
  // With no certificate to verify it against (and none required), a signed MDN is read for what it says all the same:
  // `signed` without a `signer`. Its disposition, message id and MIC decide, as an unsigned MDN's do.
  const unverifiable = report.signedEntity !== undefined && certificates.length === 0 && !options.requireSignature;
  if (report.signedEntity && !unverifiable) {
    try {
      signer = verifySignature(report.signedEntity.signature, report.signedEntity.content, certificates).signer;
    } catch (error) {
      if (!(error instanceof As2Error)) throw error;
      return { ...base, status: 'bad-signature', signed: true, reason: `The MDN signature is not valid: ${error.message}` };
    }
  } else if (!report.signedEntity && options.requireSignature) {
    return { ...base, status: 'bad-signature', signed: false, reason: 'A signed MDN was requested but the partner returned an unsigned one.' };
  }
  const signed = signer !== undefined || unverifiable;
  if (!originalMessageId || !sameMessageId(originalMessageId, options.expected.messageId)) {
    return { ...base, signed, signer, status: 'message-id-mismatch', reason: `The MDN answers message ${originalMessageId ?? '(none)'}, not ${options.expected.messageId}.` };
  }
  // Any error or failure among the modifiers fails it: `processed/error,warning` is not a delivery.
  if (disposition.type !== 'processed' || disposition.modifiers.includes('error') || disposition.modifiers.includes('failure')) {
    return { ...base, signed, signer, status: 'failed', reason: `The partner reports "${disposition.type}${disposition.modifier ? '/' + disposition.modifier : ''}${disposition.description ? ': ' + disposition.description : ''}".` };
  }
  const expectedMic = options.expected.mic;
  if (expectedMic) {
    if (!receivedMic) {
      if (!options.expected.micOptional) {
        return { ...base, signed, signer, status: 'mic-mismatch', reason: `The MDN carries no Received-Content-MIC; expected ${expectedMic.value} (${expectedMic.algorithm}).` };
      }
    } else {
      // A partner that took another digest than the one expected (an unsigned message's SHA-1 or SHA-256, say) proves the
      // same content when that digest of ours matches.
      const { micIn } = options.expected;
      const ours = receivedMic.algorithm && receivedMic.algorithm !== expectedMic.algorithm && micIn ? micIn(receivedMic.algorithm) : expectedMic;
      if (receivedMic.algorithm !== ours.algorithm || receivedMic.value !== ours.value) {
        return {
          ...base,
          signed,
          signer,
          status: 'mic-mismatch',
          reason: micMismatchReason(receivedMic, ours),
        };
      }
    }
  }
  if (disposition.modifiers.includes('warning')) {
    return { ...base, signed, signer, status: 'delivered-with-warning', reason: `Delivered with a warning: ${disposition.description ?? 'unspecified'}.` };
  }
  const mic = !expectedMic ? '' : receivedMic ? ' and returned the matching MIC' : ' (it returned no MIC)';
  return { ...base, signed, signer, status: 'delivered', reason: `Delivered: the partner processed the message${mic}.` };
}

/**
 * Why a returned MIC does not prove the content, in an operator's words: the MDN named no digest algorithm, or one we do
 * not compute (so nothing can be compared), or the same algorithm over other bytes.
 */
function micMismatchReason(received: NonNullable<MdnResult['receivedMic']>, ours: { readonly value: string; readonly algorithm: string }): string {
  if (received.algorithmName === '') {
    return `The MDN's Received-Content-MIC (${received.value}) names no digest algorithm (RFC 4130 asks for "<mic>, <algorithm>"), so it proves nothing; we computed ${ours.value} (${ours.algorithm}).`;
  }
  if (received.algorithm === undefined) {
    return `The MDN's Received-Content-MIC (${received.value}) is in ${received.algorithmName}, a digest algorithm we do not compute, so it cannot be compared; we computed ${ours.value} (${ours.algorithm}).`;
  }
  return `The partner computed MIC ${received.value} (${received.algorithmName}) but we computed ${ours.value} (${ours.algorithm}): the content received differs from what was sent.`;
}
