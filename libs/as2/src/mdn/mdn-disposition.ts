import { As2Error, type As2ErrorCode } from '../errors/as2-error';

/** The processed/error modifiers of RFC 4130 §7.4.3. */
export type MdnErrorModifier =
  | 'decryption-failed'
  | 'authentication-failed'
  | 'integrity-check-failed'
  | 'insufficient-message-security'
  | 'unexpected-processing-error';

export type MdnDisposition =
  | { readonly type: 'processed' }
  | { readonly type: 'processed/warning'; readonly warning: string }
  | { readonly type: 'processed/error'; readonly error: MdnErrorModifier }
  | { readonly type: 'failed/failure'; readonly failure: string };

const modifierByCode: Partial<Record<As2ErrorCode, MdnErrorModifier>> = {
  DECRYPTION_FAILED: 'decryption-failed',
  RECIPIENT_MISMATCH: 'decryption-failed',
  SIGNER_UNKNOWN: 'authentication-failed',
  SIGNATURE_INVALID: 'authentication-failed',
  DIGEST_MISMATCH: 'integrity-check-failed',
  INSUFFICIENT_SECURITY: 'insufficient-message-security',
};

export function mdnErrorModifierFor(error: unknown): MdnErrorModifier {
  return (error instanceof As2Error && modifierByCode[error.code]) || 'unexpected-processing-error';
}

/** The MDN disposition that answers a failed receive. */
export function mdnDispositionFor(error: unknown): MdnDisposition {
  return { type: 'processed/error', error: mdnErrorModifierFor(error) };
}

/** The Disposition field value (RFC 3798 §3.2.6 as profiled by RFC 4130 §7.5.3). */
export function formatDisposition(disposition: MdnDisposition): string {
  const prefix = 'automatic-action/MDN-sent-automatically; ';
  switch (disposition.type) {
    case 'processed':
      return prefix + 'processed';
    case 'processed/warning':
      return `${prefix}processed/warning: ${oneLine(disposition.warning)}`;
    case 'processed/error':
      return `${prefix}processed/error: ${disposition.error}`;
    case 'failed/failure':
      return `${prefix}failed/Failure: ${oneLine(disposition.failure)}`;
  }
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
}

export interface ParsedDisposition {
  readonly raw: string;
  readonly actionMode: string;
  readonly sendingMode: string;
  /** processed, failed, … (lower-case) */
  readonly type: string;
  /** The modifiers as written (lower-case), e.g. "error" or "error,warning", when present. */
  readonly modifier?: string;
  /** Each modifier of that list (RFC 3798 §3.2.6 allows several): error, warning, failure… */
  readonly modifiers: readonly string[];
  /** The text after the modifier, e.g. "decryption-failed". */
  readonly description?: string;
}

/** Parses `automatic-action/MDN-sent-automatically; processed/Error: decryption-failed`, case-insensitively. */
export function parseDisposition(raw: string): ParsedDisposition {
  const semicolon = raw.indexOf(';');
  if (semicolon < 0) throw new As2Error('MALFORMED_MDN', `The MDN Disposition "${raw}" has no disposition type.`);
  const [actionMode = '', sendingMode = ''] = raw.slice(0, semicolon).trim().split('/').map((s) => s.trim());
  const rest = raw.slice(semicolon + 1).trim();
  const colon = rest.indexOf(':');
  // Comments in parentheses may stand between the tokens of a structured field (RFC 5322 §3.2.2): they say nothing.
  const typePart = (colon >= 0 ? rest.slice(0, colon) : rest)
    .replace(/\([^()]*\)/g, ' ')
    .trim()
    .toLowerCase();
  const [type, modifierList = ''] = typePart.split('/').map((s) => s.trim());
  if (!type) throw new As2Error('MALFORMED_MDN', `The MDN Disposition "${raw}" has no disposition type.`);
  const modifiers = modifierList
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  return { raw, actionMode, sendingMode, type, modifier: modifiers.join(',') || undefined, modifiers, description: colon >= 0 ? rest.slice(colon + 1).trim() : undefined };
}
