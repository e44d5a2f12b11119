import { randomBytes } from 'node:crypto';
import { grantedToken } from './granted-token';
import { checkImprint, sha256ImprintOf } from './message-imprint';
import { derToPem, Oid } from '@as2-partners/pki';
import { TimestampError } from './timestamp-error';
import { encodeTimestampRequest } from './timestamp-request';
import { decodeTimestampResponse } from './timestamp-response';
import { verifyTokenSignature } from './token-signature';

export interface TimestampRequestOptions {
  readonly url: string;
  readonly data?: Buffer | string;
  /** SHA-256 of the document in hex, when the caller has only the digest. */
  readonly digestHex?: string;
  readonly timeoutMs?: number;
}

export interface TimestampResult {
  /** The whole TimeStampResp as received: what gets stored. */
  readonly responseDer: Buffer;
  readonly genTime: Date;
  /** hex */
  readonly serialNumber: string;
  /** OID */
  readonly policy: string;
  /** Certificates found in the token, the signer first. */
  readonly tsaCertificatesPem: readonly string[];
}

const maxResponseBytes = 1024 * 1024;

/** A positive 64-bit nonce whose first byte is non-zero, so its INTEGER content is exactly these bytes. */
function newNonce(): Buffer {
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0] & 0x7f) | 0x01;
  return nonce;
}

async function readCapped(response: Response): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > maxResponseBytes) throw new TimestampError('TSA_BAD_RESPONSE', `the TSA response exceeds ${maxResponseBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

async function post(url: string, body: Buffer, timeoutMs: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new TimestampError('TSA_UNAVAILABLE', `the TSA at ${url} cannot be reached: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    throw new TimestampError('TSA_UNAVAILABLE', `the TSA at ${url} answered HTTP ${response.status}`);
  }
  if (response.status !== 200) throw new TimestampError('TSA_REJECTED', `the TSA at ${url} answered HTTP ${response.status}`);
  try {
    return await readCapped(response);
  } catch (error) {
    if (error instanceof TimestampError) throw error;
    throw new TimestampError('TSA_UNAVAILABLE', `the TSA at ${url} broke off its answer: ${(error as Error).message}`);
  }
}

/** Client: sha256 of `data` (or a given hex `digest`), nonce, certReq=true; POST to url; checks status granted, imprint, nonce and the signature (signer cert in token). Timeout default 10 s. */
export async function requestTimestamp(options: TimestampRequestOptions): Promise<TimestampResult> {
  const imprint = sha256ImprintOf(options);
  const nonce = newNonce();
  const request = encodeTimestampRequest({ hashAlgorithmOid: Oid.sha256, hashedMessage: imprint, nonce, certReq: true });
  const responseDer = await post(options.url, request, options.timeoutMs ?? 10_000);

  const token = grantedToken(decodeTimestampResponse(responseDer));
  if (token.tstInfo.hashAlgorithmOid !== Oid.sha256) throw new TimestampError('TSA_BAD_RESPONSE', 'the token does not stamp the SHA-256 imprint we sent');
  checkImprint(token.tstInfo, { digestHex: imprint.toString('hex') });
  if (!token.tstInfo.nonce?.equals(nonce)) throw new TimestampError('TSA_BAD_RESPONSE', 'the token does not echo our nonce (a replayed or foreign answer)');
  const signer = verifyTokenSignature(token);
  const others = token.certificates.filter((der) => !der.equals(signer.fields.der));
  return {
    responseDer,
    genTime: token.tstInfo.genTime,
    serialNumber: token.tstInfo.serialNumber,
    policy: token.tstInfo.policy,
    tsaCertificatesPem: [signer.fields.der, ...others].map((der) => derToPem(der)),
  };
}
