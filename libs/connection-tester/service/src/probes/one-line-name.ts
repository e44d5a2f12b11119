/** A certificate's subject or issuer as Node gives it (one attribute a line) on one line: `CN=x, O=y`. */
export const oneLine = (dn: string): string => dn.split('\n').join(', ');
