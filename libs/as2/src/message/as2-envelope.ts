import { parseMicAlgorithm, type DigestAlgorithm } from '../crypto/algorithms';
import { As2Error } from '../errors/as2-error';
import { MimeHeaders } from '../mime/mime-headers';
import { parseAs2Name } from './as2-name';

/** What the sender asked for in Disposition-Notification-To/-Options and Receipt-Delivery-Option. */
export interface MdnRequest {
  /** The Disposition-Notification-To value (an address or URL; AS2 only requires it to be present). */
  readonly returnAddress: string;
  /** Present when a signed receipt was requested (signed-receipt-protocol=…, pkcs7-signature). */
  readonly signed?: {
    readonly importance: 'required' | 'optional';
    /** Requested MIC algorithms we support, in the sender's order of preference. */
    readonly micAlgorithms: readonly DigestAlgorithm[];
    /** Requested algorithms we do not support (md5, …), for the processed/warning. */
    readonly unsupportedMicAlgorithms: readonly string[];
  };
  /** Receipt-Delivery-Option: the URL to POST an asynchronous MDN to; absent for a synchronous MDN. */
  readonly asyncUrl?: string;
  /**
   * A parameter of importance `required` this receiver cannot honour, as the failure text of the MDN that must answer it
   * (RFC 3798 §2.2: such an MDN is `failed`; RFC 4130 §7.5.3: `Failure: unsupported MIC-algorithms`). Absent: none.
   */
  readonly unsupportedRequired?: string;
}

/** The AS2 headers of a received message: who sent it, to whom, its id, and what receipt it wants. */
export interface As2Envelope {
  readonly as2From: string;
  readonly as2To: string;
  readonly messageId: string;
  readonly subject?: string;
  readonly date?: string;
  readonly as2Version?: string;
  readonly mdnRequest?: MdnRequest;
}

export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

function required(headers: MimeHeaders, name: string): string {
  const value = headers.get(name);
  if (value === undefined || value.trim() === '') {
    throw new As2Error('MISSING_AS2_HEADER', `The request has no ${name} header; it is not an AS2 message.`, { header: name });
  }
  return value;
}

interface DispositionOption {
  readonly importance: string;
  readonly values: readonly string[];
}

/** Parses `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256, sha1` (RFC 4130 §7.3). */
export function parseDispositionOptions(value: string): Readonly<Record<string, DispositionOption>> {
  const options: Record<string, DispositionOption> = {};
  for (const clause of value.split(';')) {
    const eq = clause.indexOf('=');
    if (eq < 0) continue;
    // RFC 3798 §2.2: each value is a word, so an atom or a quoted string.
    const [importance, ...values] = clause.slice(eq + 1).split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1').trim());
    options[clause.slice(0, eq).trim().toLowerCase()] = { importance: importance.toLowerCase(), values: values.filter(Boolean) };
  }
  return options;
}

function parseMdnRequest(headers: MimeHeaders): MdnRequest | undefined {
  const returnAddress = headers.get('disposition-notification-to');
  if (returnAddress === undefined) return undefined;
  const asyncUrl = headers.get('receipt-delivery-option')?.trim() || undefined;
  const optionsHeader = headers.get('disposition-notification-options');
  const options = optionsHeader ? parseDispositionOptions(optionsHeader) : {};
  const protocol = options['signed-receipt-protocol'];
  const signedRequested = protocol?.values.some((v) => v.toLowerCase() === 'pkcs7-signature') ?? false;
  let signed: MdnRequest['signed'];
  let unsupportedRequired: string | undefined;
  if (signedRequested) {
    const micalg = options['signed-receipt-micalg'];
    const requested = micalg?.values ?? [];
    signed = {
      importance: protocol.importance === 'required' ? 'required' : 'optional',
      micAlgorithms: requested.map(parseMicAlgorithm).filter((a): a is DigestAlgorithm => a !== undefined),
      unsupportedMicAlgorithms: requested.filter((a) => parseMicAlgorithm(a) === undefined),
    };
    if (micalg?.importance === 'required' && requested.length > 0 && signed.micAlgorithms.length === 0) unsupportedRequired = 'unsupported MIC-algorithms';
  } else if (protocol?.importance === 'required' && protocol.values.length > 0) {
    unsupportedRequired = `unsupported signed-receipt-protocol ${protocol.values.join(', ')}`;
  }
  return { returnAddress: returnAddress.trim(), signed, asyncUrl, ...(unsupportedRequired ? { unsupportedRequired } : {}) };
}

/** Reads the AS2 headers; throws MISSING_AS2_HEADER / INVALID_AS2_NAME when the request is not AS2. */
export function parseAs2Envelope(input: IncomingHeaders | MimeHeaders): As2Envelope {
  const headers = input instanceof MimeHeaders ? input : MimeHeaders.fromHttp(input);
  return {
    as2From: parseAs2Name(required(headers, 'AS2-From'), 'AS2-From'),
    as2To: parseAs2Name(required(headers, 'AS2-To'), 'AS2-To'),
    messageId: required(headers, 'Message-ID').trim(),
    subject: headers.get('subject'),
    date: headers.get('date'),
    as2Version: headers.get('as2-version'),
    mdnRequest: parseMdnRequest(headers),
  };
}
