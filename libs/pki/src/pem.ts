const blockPattern = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block of the given label in a text, in order, as DER (lenient: for our own files and peers' bundles). */
export function pemBlocksToDer(text: string, label = 'CERTIFICATE'): Buffer[] {
  return [...text.matchAll(blockPattern)].filter((m) => m[1] === label).map((m) => Buffer.from(m[2].replace(/\s+/g, ''), 'base64'));
}

/** RFC 7468 text: 64-column base64 and a trailing newline. */
export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
