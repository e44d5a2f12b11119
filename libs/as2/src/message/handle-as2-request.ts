import { As2Error } from '../errors/as2-error';
import { buildMdn, buildMdnAsync, type BuildMdnOptions, type OutgoingMdn } from '../mdn/build-mdn';
import type { As2Decryptor } from '../external/as2-decryptor';
import type { As2Signer } from '../external/as2-signer';
import { mdnDispositionFor, type MdnDisposition } from '../mdn/mdn-disposition';
import type { As2KeyPair } from '../pki/private-key';
import { micAlgorithmName } from '../crypto/algorithms';
import { parseAs2Envelope, type As2Envelope } from './as2-envelope';
import { receiveAs2Message, receiveAs2MessageAsync, type ReceiveAs2MessageOptions, type ReceivedAs2Message } from './receive-as2-message';

export interface HandleAs2RequestOptions extends ReceiveAs2MessageOptions {
  /** Signs the MDN when the sender asked for a signed receipt. */
  readonly mdnSigner?: As2KeyPair;
  readonly reportingUa?: string;
  /** Replaces the computed disposition (e.g. answer paused traffic with a chosen success or error MDN). */
  readonly overrideDisposition?: MdnDisposition;
}

export interface HandledAs2Request {
  /** Undefined when the request lacks AS2 headers: no MDN can be addressed, answer HTTP 400. */
  readonly envelope?: As2Envelope;
  readonly message?: ReceivedAs2Message;
  readonly error?: As2Error;
  /** The MDN to return (sync) or POST to `mdn.asyncUrl` (async); undefined when none was requested. */
  readonly mdn?: OutgoingMdn;
}

/** Receives a message and builds the MDN that answers it, success or error: what an AS2 server endpoint does. */
export function handleAs2Request(options: HandleAs2RequestOptions): HandledAs2Request {
  let envelope: As2Envelope;
  try {
    envelope = parseAs2Envelope(options.headers);
  } catch (error) {
    return { error: toAs2Error(error) };
  }
  const refused = unhonourableReceipt(envelope);
  if (refused) return { envelope, error: refused, mdn: buildMdn({ ...mdnAnswering(envelope, undefined, refused, options), signer: options.mdnSigner }) };
  let message: ReceivedAs2Message | undefined;
  let error: As2Error | undefined;
  try {
    message = receiveAs2Message(options);
  } catch (caught) {
    error = toAs2Error(caught);
  }
  if (!envelope.mdnRequest) return { envelope, message, error };
  return { envelope, message, error, mdn: buildMdn({ ...mdnAnswering(envelope, message, error, options), signer: options.mdnSigner }) };
}

/** The same options with our keys elsewhere: an external decryptor opens the message, an external signer signs the MDN. */
export type HandleAs2RequestWithKeystoreOptions = Omit<HandleAs2RequestOptions, 'decryptionKeys' | 'mdnSigner'> & {
  readonly decryptor?: As2Decryptor;
  readonly mdnSigner?: As2Signer;
};

/** handleAs2Request with the key operations done by an external decryptor and signer (a keystore in another process). */
export async function handleAs2RequestAsync(options: HandleAs2RequestWithKeystoreOptions): Promise<HandledAs2Request> {
  let envelope: As2Envelope;
  try {
    envelope = parseAs2Envelope(options.headers);
  } catch (error) {
    return { error: toAs2Error(error) };
  }
  const refused = unhonourableReceipt(envelope);
  if (refused) return { envelope, error: refused, mdn: await buildMdnAsync({ ...mdnAnswering(envelope, undefined, refused, options), signer: options.mdnSigner }) };
  let message: ReceivedAs2Message | undefined;
  let error: As2Error | undefined;
  try {
    message = await receiveAs2MessageAsync(options);
  } catch (caught) {
    // The keystore could not be asked: no MDN about the message, the caller answers "try again" (e.g. HTTP 503).
    if (!(caught instanceof As2Error)) throw caught;
    error = caught;
  }
  if (!envelope.mdnRequest) return { envelope, message, error };
  return { envelope, message, error, mdn: await buildMdnAsync({ ...mdnAnswering(envelope, message, error, options), signer: options.mdnSigner }) };
}

/**
 * A receipt asked for with a `required` parameter this receiver cannot honour (no MIC algorithm of the required list,
 * a signature protocol other than pkcs7-signature): the message is not processed, and its MDN is `failed` (RFC 3798
 * §2.2), so the sender does not count it as delivered.
 */
function unhonourableReceipt(envelope: As2Envelope): As2Error | undefined {
  const failure = envelope.mdnRequest?.unsupportedRequired;
  if (!failure) return undefined;
  return new As2Error('UNSUPPORTED_ALGORITHM', `The message ${envelope.messageId} asks for a receipt this receiver cannot give (${failure}); it was not processed.`, { failure });
}

function mdnAnswering(
  envelope: As2Envelope,
  message: ReceivedAs2Message | undefined,
  error: As2Error | undefined,
  options: Pick<HandleAs2RequestOptions, 'overrideDisposition' | 'reportingUa'>,
): Omit<BuildMdnOptions, 'signer'> {
  const unsupported = envelope.mdnRequest?.signed?.unsupportedMicAlgorithms ?? [];
  const failure = envelope.mdnRequest?.unsupportedRequired;
  let disposition: MdnDisposition = failure ? { type: 'failed/failure', failure } : error ? mdnDispositionFor(error) : { type: 'processed' };
  if (!error && unsupported.length > 0 && envelope.mdnRequest?.signed?.micAlgorithms.length === 0 && message) {
    disposition = { type: 'processed/warning', warning: `unsupported MIC-algorithms ${unsupported.join(', ')}; MIC computed with ${micAlgorithmName(message.mic.algorithm)}` };
  }
  return {
    envelope,
    disposition: options.overrideDisposition ?? disposition,
    mic: message?.mic,
    reportingUa: options.reportingUa,
    text: error ? `The AS2 message ${envelope.messageId} could not be processed: ${error.message}` : undefined,
  };
}

function toAs2Error(error: unknown): As2Error {
  if (error instanceof As2Error) return error;
  return new As2Error('UNEXPECTED_ERROR', `Unexpected failure while processing the AS2 message: ${error instanceof Error ? error.message : String(error)}`);
}
