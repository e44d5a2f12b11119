import {
  certificateTooLarge,
  certificateTrailingData,
  invalidCertificate,
  privateKeyNotAllowed,
} from './certificate-reading.errors';
import { isPrivateKeyPemLabel } from './private-key-material';

const PEM_BEGIN = '-----BEGIN ';
/** RFC 7468 section 5.1: parsers may accept these old labels for certificates. */
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'X.509 CERTIFICATE']);
const BEGIN_LINE = /^-----BEGIN (.*)-----$/;
const END_LINE = /^-----END (.*)-----$/;
const ANY_PRIVATE_KEY_BEGIN = /-----BEGIN [^\r\n]{0,64}PRIVATE KEY-----/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const startsWithUtf8Bom = (input: Buffer): boolean => input.length >= UTF8_BOM.length && UTF8_BOM.equals(input.subarray(0, UTF8_BOM.length));

/** True when the upload is PEM text rather than DER (a DER certificate's second byte is a long-form length ≥ 0x80). */
export function looksLikePem(input: Buffer): boolean {
  if (input[0] === 0x30 && input.length > 1 && input[1] >= 0x80) return false;
  return input.includes(PEM_BEGIN, 0, 'latin1');
}

/**
 * The DER of each CERTIFICATE block, in upload order. Explanatory text before and between blocks is allowed
 * (RFC 7468; `openssl pkcs12` writes "Bag Attributes"), anything but whitespace after the last block is not.
 */
export function readPemCertificateBlocks(input: Buffer, maxBlocks: number): Buffer[] {
  // A UTF-8 byte-order mark before the first line (how Notepad saves text) is no text of the file's own.
  const text = (startsWithUtf8Bom(input) ? input.subarray(UTF8_BOM.length) : input).toString('latin1');
  // Checked first and over the whole text so that a key anywhere in the upload is refused as such.
  if (ANY_PRIVATE_KEY_BEGIN.test(text)) throw privateKeyNotAllowed();

  const blocks: Buffer[] = [];
  let openLabel: string | undefined;
  let body: string[] = [];
  let textAfterLastBlock = false;
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (openLabel === undefined) {
      const begin = BEGIN_LINE.exec(line);
      if (!begin) {
        if (line.length > 0) textAfterLastBlock = true;
        continue;
      }
      const label = begin[1];
      if (isPrivateKeyPemLabel(label)) throw privateKeyNotAllowed();
      if (!CERTIFICATE_LABELS.has(label)) throw invalidCertificate(`The upload holds a ${describeLabel(label)} PEM block, not a CERTIFICATE`);
      if (blocks.length >= maxBlocks) throw certificateTooLarge(`The upload holds more than ${maxBlocks} certificates`, { max_certificates: maxBlocks });
      openLabel = label;
      body = [];
      textAfterLastBlock = false;
      continue;
    }
    const end = END_LINE.exec(line);
    if (end) {
      if (end[1] !== openLabel) throw invalidCertificate(`A ${describeLabel(openLabel)} PEM block ends with a mismatched END line`);
      blocks.push(decodeBase64Body(body.join('')));
      openLabel = undefined;
      continue;
    }
    if (BEGIN_LINE.test(line)) throw invalidCertificate('A PEM block starts before the previous one ended');
    body.push(line.replace(/[ \t]/g, ''));
  }
  if (openLabel !== undefined) throw invalidCertificate('The PEM certificate block has no END line');
  if (blocks.length === 0) throw invalidCertificate('The upload contains no PEM CERTIFICATE block');
  if (textAfterLastBlock) throw certificateTrailingData('Data follows the last PEM END line');
  return blocks;
}

function decodeBase64Body(body: string): Buffer {
  if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) {
    throw invalidCertificate('The PEM certificate block is not valid base64');
  }
  return Buffer.from(body, 'base64');
}

/** Echo a label only when it looks like one, so hostile input is never reflected. */
function describeLabel(label: string): string {
  return /^[A-Z0-9 .#_-]{1,40}$/.test(label) ? `"${label}"` : 'non-certificate';
}
