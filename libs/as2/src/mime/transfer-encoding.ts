import { As2Error } from '../errors/as2-error';

/** Decodes a body by its Content-Transfer-Encoding; binary, 7bit and 8bit bodies are returned as the same view. */
export function decodeTransferEncoding(body: Buffer, encoding: string | undefined): Buffer {
  const name = (encoding ?? 'binary').trim().toLowerCase();
  switch (name) {
    case 'binary':
    case '7bit':
    case '8bit':
      return body;
    case 'base64': {
      const text = body.toString('latin1');
      if (/[^A-Za-z0-9+/=\s]/.test(text)) throw new As2Error('MALFORMED_MIME', 'A base64 body contains characters outside the base64 alphabet.');
      return Buffer.from(text, 'base64');
    }
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      throw new As2Error('MALFORMED_MIME', `Unknown Content-Transfer-Encoding "${name}".`);
  }
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    if (body[i + 1] === 0x0d && body[i + 2] === 0x0a) i += 2;
    else if (body[i + 1] === 0x0a) i += 1;
    else {
      const hex = body.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new As2Error('MALFORMED_MIME', 'Invalid quoted-printable escape.');
      out[n++] = parseInt(hex, 16);
      i += 2;
    }
  }
  return out.subarray(0, n);
}

/** base64 in 76-character lines, for the small parts we send as text (signatures). */
export function encodeBase64Lines(data: Buffer): Buffer {
  return Buffer.from(data.toString('base64').replace(/.{76}(?=.)/g, '$&\r\n') + '\r\n', 'latin1');
}
