import { randomUUID } from 'node:crypto';
import { As2Error } from '../errors/as2-error';

/** A fresh RFC 5322 msg-id, angle brackets included, unique per message. */
export function newMessageId(domain = 'as2-partners.local'): string {
  return `<${randomUUID()}@${domain}>`;
}

/** RFC 4130 §5.3.3: the Message-ID is `<id-left@id-right>`, at most 998 characters, printable ASCII. */
export function validateMessageId(messageId: string): string {
  if (!/^<[\x21-\x3d\x3f-\x7e]+@[\x21-\x3d\x3f-\x7e]+>$/.test(messageId) || messageId.length > 998) {
    throw new As2Error('INVALID_ARGUMENT', `The Message-ID "${messageId.slice(0, 80)}" is not of the form <left@right> in printable ASCII (at most 998 characters).`);
  }
  return messageId;
}

/** Compares Message-IDs as AS2 implementations write them: with or without angle brackets. */
export function sameMessageId(a: string, b: string): boolean {
  const strip = (s: string) => s.trim().replace(/^<|>$/g, '');
  return strip(a) === strip(b);
}
