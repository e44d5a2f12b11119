import { As2Error } from '../errors/as2-error';

export interface MimeHeader {
  readonly name: string;
  readonly value: string;
}

/** Header fields in their original order; names compare case-insensitively, values are unfolded. */
export class MimeHeaders {
  constructor(readonly entries: readonly MimeHeader[]) {}

  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.entries.find((h) => h.name.toLowerCase() === lower)?.value;
  }

  /** Headers from an HTTP request (Node lower-cases names and may give arrays). */
  static fromHttp(headers: Readonly<Record<string, string | readonly string[] | undefined>>): MimeHeaders {
    const entries: MimeHeader[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      for (const v of typeof value === 'string' ? [value] : value) entries.push({ name, value: v.trim() });
    }
    return new MimeHeaders(entries);
  }
}

/** Parses a header block (RFC 5322 §2.2): CRLF or bare LF line ends, folded continuation lines. */
export function parseHeaderBlock(block: Buffer): MimeHeaders {
  const text = block.toString('latin1');
  const entries: { name: string; value: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      const last = entries[entries.length - 1];
      if (!last) throw new As2Error('MALFORMED_MIME', 'The MIME headers start with a continuation line.');
      last.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!-9;-~]+$/.test(line.slice(0, colon))) {
      throw new As2Error('MALFORMED_MIME', `Invalid MIME header line "${line.slice(0, 60)}".`);
    }
    entries.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return new MimeHeaders(entries);
}

export interface ParsedHeaderValue {
  /** The main value, lower-cased (e.g. "multipart/signed", "attachment"). */
  readonly value: string;
  /** Parameters with lower-cased names; quoted strings unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `type/subtype; name=value; name="quoted \"value\""` (RFC 2045 §5.1, with RFC 2231 `name*=` decoded). */
export function parseHeaderValue(input: string): ParsedHeaderValue {
  let i = 0;
  const readUntil = (stops: string): string => {
    const start = i;
    while (i < input.length && !stops.includes(input[i])) i++;
    return input.slice(start, i).trim();
  };
  const value = readUntil(';').toLowerCase();
  const params: Record<string, string> = {};
  while (i < input.length) {
    i++;
    const name = readUntil('=;').toLowerCase();
    if (input[i] !== '=') continue;
    i++;
    while (input[i] === ' ' || input[i] === '\t') i++;
    let paramValue: string;
    if (input[i] === '"') {
      i++;
      let out = '';
      while (i < input.length && input[i] !== '"') {
        if (input[i] === '\\' && i + 1 < input.length) i++;
        out += input[i++];
      }
      if (input[i] !== '"') throw new As2Error('MALFORMED_MIME', `Unterminated quoted parameter "${name}" in "${input.slice(0, 80)}".`);
      i++;
      readUntil(';');
      paramValue = out;
    } else {
      paramValue = readUntil(';');
    }
    if (name.endsWith('*')) {
      const match = /^([^']*)'[^']*'(.*)$/.exec(paramValue);
      if (match) {
        try {
          paramValue = Buffer.from(decodeURIComponent(match[2].replace(/%(?![0-9a-fA-F]{2})/g, '%25')), 'utf8').toString(match[1].toLowerCase() === 'iso-8859-1' ? 'latin1' : 'utf8');
        } catch {
          paramValue = match[2];
        }
      }
      params[name.slice(0, -1)] = paramValue;
    } else if (name && !(name in params)) {
      params[name] = utf8IfValid(paramValue);
    }
  }
  return { value, params };
}

/** Header bytes are read as latin1; raw UTF-8 (RFC 6532, what some AS2 products send instead of RFC 2231) is read back as UTF-8. */
function utf8IfValid(latin1: string): string {
  if (!/[\x80-\xff]/.test(latin1)) return latin1;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return latin1;
  }
}

const tspecials = /[()<>@,;:\\"/[\]?=\s]/;

/** A parameter value as a token when possible, otherwise as a quoted string (RFC 2045 §5.1). */
export function formatParam(name: string, value: string): string {
  if (value !== '' && !tspecials.test(value) && /^[\x21-\x7e]+$/.test(value)) return `${name}=${value}`;
  if (/^[\x20-\x7e]*$/.test(value)) return `${name}="${value.replace(/(["\\])/g, '\\$1')}"`;
  // Non-ASCII file names: RFC 2231 extended notation.
  return `${name}*=UTF-8''${encodeURIComponent(value).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

export function serializeHeaders(headers: readonly MimeHeader[]): Buffer {
  return Buffer.from(headers.map((h) => `${h.name}: ${h.value}\r\n`).join('') + '\r\n', 'latin1');
}
