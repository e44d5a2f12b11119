import {
  As2Error,
  buildMdn,
  handleAs2Request,
  parseAs2Envelope,
  type As2Certificate,
  type As2Envelope,
  type As2KeyPair,
  type HandledAs2Request,
  type IncomingHeaders,
  type MdnDisposition,
  type Mic,
  type OutgoingMdn,
} from '@as2-partners/as2';
import type { Fault } from './fault';

/** Who the test partner is and whom it trusts. */
export interface PartnerIdentity {
  readonly as2Id: string;
  readonly keyPair: As2KeyPair;
  readonly partnerAs2Id: string;
  readonly partnerCertificate: As2Certificate;
}

export interface As2Exchange extends HandledAs2Request {
  /** Why the AS2-From/AS2-To pair was refused, when it was. */
  readonly refusal?: string;
}

function refusalOf(envelope: As2Envelope, identity: PartnerIdentity): { reason: string; disposition: MdnDisposition } | undefined {
  if (envelope.as2To !== identity.as2Id) {
    return { reason: `AS2-To "${envelope.as2To}" is not this partner ("${identity.as2Id}")`, disposition: { type: 'processed/error', error: 'unexpected-processing-error' } };
  }
  if (envelope.as2From !== identity.partnerAs2Id) {
    return { reason: `AS2-From "${envelope.as2From}" is not the trusted sender ("${identity.partnerAs2Id}")`, disposition: { type: 'processed/error', error: 'authentication-failed' } };
  }
  return undefined;
}

/** A MIC that cannot match: same algorithm, first byte of the digest flipped. */
function corruptedMic(mic: Mic): Mic {
  const digest = Buffer.from(mic.value, 'base64');
  digest[0] ^= 0xff;
  return { value: digest.toString('base64'), algorithm: mic.algorithm };
}

/**
 * Receives one AS2 request and builds the MDN it asked for, with the MDN-shaping faults applied
 * (wrong-mic, mislabelled-mic, unsigned-mdn). Never throws for bad input: failures come back as `error` with an error MDN.
 */
export function exchangeAs2Message(identity: PartnerIdentity, headers: IncomingHeaders, body: Buffer, faults: readonly Fault[], maxBytes: number): As2Exchange {
  let envelope: As2Envelope;
  try {
    envelope = parseAs2Envelope(headers);
  } catch (error) {
    return { error: error instanceof As2Error ? error : new As2Error('MISSING_AS2_HEADER', String(error)) };
  }
  const refusal = refusalOf(envelope, identity);
  const unsignedMdn = faults.some((f) => f.kind === 'unsigned-mdn');
  const handled = handleAs2Request({
    headers,
    body,
    decryptionKeys: [identity.keyPair],
    partnerCertificates: [identity.partnerCertificate],
    maxMessageBytes: maxBytes,
    mdnSigner: unsignedMdn ? undefined : identity.keyPair,
    reportingUa: 'as2-partners test partner',
    overrideDisposition: refusal?.disposition,
  });
  const exchange: As2Exchange = refusal
    ? { ...handled, message: undefined, error: new As2Error('INVALID_AS2_NAME', `${refusal.reason}; the message was not accepted.`) }
    : handled;
  const micFault = faults.find((f) => f.kind === 'wrong-mic' || f.kind === 'mislabelled-mic');
  if (!micFault || !exchange.mdn || !exchange.message) return exchange;
  const mdn: OutgoingMdn = buildMdn({
    envelope,
    disposition: { type: 'processed' },
    mic: micFault.kind === 'wrong-mic' ? corruptedMic(exchange.message.mic) : { value: exchange.message.mic.value, algorithm: exchange.message.mic.algorithm === 'sha1' ? 'sha256' : 'sha1' },
    signer: unsignedMdn ? undefined : identity.keyPair,
    reportingUa: 'as2-partners test partner',
  });
  return { ...exchange, mdn };
}
