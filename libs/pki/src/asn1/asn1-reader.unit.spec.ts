import { Asn1Error } from './asn1-error';
import { readAsn1 } from './asn1-reader';
import { octetStringValue } from './asn1-values';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

function reason(input: Buffer, options: Parameters<typeof readAsn1>[1]): string {
  try {
    readAsn1(input, options);
  } catch (error) {
    if (error instanceof Asn1Error) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('readAsn1', () => {
  it('reads BER indefinite lengths and constructed OCTET STRINGs as OpenSSL streams them, when allowed', () => {
    const streamed = hex('30 80 24 80 04 02 6869 04 01 21 0000 0201 05 0000');
    const root = readAsn1(streamed, { maxDepth: 8, indefiniteLengths: true });

    expect(root.raw).toHaveLength(streamed.length);
    expect(root.children).toHaveLength(2);
    expect(octetStringValue(root.children[0]).toString()).toBe('hi!');
    expect(root.children[1].content).toEqual(hex('05'));
    expect(reason(streamed, { maxDepth: 8 })).toBe('indefinite-length');
  });

  it('refuses, when DER is asked for, a length written in more octets than it needs, at any depth; BER readers take it', () => {
    const der = { maxDepth: 8, minimalLengths: true };
    expect(reason(hex('30 03 02 01 05'), der)).toBe('accepted');
    expect(reason(hex('30 81 03 02 01 05'), der)).toBe('non-minimal-length');
    expect(reason(hex('30 82 00 03 02 01 05'), der)).toBe('non-minimal-length');
    expect(reason(hex('30 04 02 81 01 05'), der)).toBe('non-minimal-length');
    expect(reason(hex(`04 81 80 ${'00'.repeat(128)}`), der)).toBe('accepted');
    expect(reason(hex(`04 82 00 80 ${'00'.repeat(128)}`), der)).toBe('non-minimal-length');
    expect(reason(hex('30 81 03 02 01 05'), { maxDepth: 8 })).toBe('accepted');
  });

  it('refuses an indefinite-length element without end-of-contents', () => {
    expect(reason(hex('30 80 02 01 01'), { maxDepth: 8, indefiniteLengths: true })).toBe('truncated');
  });

  it('checks nested elements before returning, so a fault deep inside is found up front', () => {
    expect(reason(hex('30 06 30 04 02 05 01 02'), { maxDepth: 8 })).toBe('overrun');
    expect(reason(hex('30 05 02 01'), { maxDepth: 8 })).toBe('truncated');
  });

  it('refuses 100,000 nested indefinite-length headers at the depth limit, reading only the headers above it', () => {
    const nested = Buffer.alloc(200_000);
    for (let i = 0; i < 100_000; i++) nested.set([0x30, 0x80], 2 * i);
    let bytesRead = 0;
    const counted = new Proxy(nested, {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) bytesRead += 1;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

    expect(reason(counted, { maxDepth: 48, indefiniteLengths: true })).toBe('too-deep');
    // A few bytes per level above the limit; the rest of the 200,000 are never read.
    expect(bytesRead).toBeLessThan(4 * 49);
  });

  it('counts the outermost element as level 1', () => {
    expect(reason(hex('30 02 30 00'), { maxDepth: 2 })).toBe('accepted');
    expect(reason(hex('30 04 30 02 30 00'), { maxDepth: 2 })).toBe('too-deep');
  });

  it('tolerates zero padding only when asked, and never other trailing bytes', () => {
    expect(reason(hex('02 01 01 00 00'), { maxDepth: 2, trailingZeros: true })).toBe('accepted');
    expect(reason(hex('02 01 01 00 00'), { maxDepth: 2 })).toBe('trailing-data');
    expect(reason(hex('02 01 01 07'), { maxDepth: 2, trailingZeros: true })).toBe('trailing-data');
  });

  it('reports bytes after a definite-length root before a fault inside it, as the certificate upload always did', () => {
    expect(reason(hex('30 03 02 05 01 07'), { maxDepth: 4 })).toBe('trailing-data');
  });

  it('reads high tag numbers only when asked, collapsing them to their first octet', () => {
    const highTag = hex('30 04 9f 21 01 00');

    expect(reason(highTag, { maxDepth: 4 })).toBe('high-tag');
    expect(readAsn1(highTag, { maxDepth: 4, highTagNumbers: true }).children[0].tag).toBe(0x9f);
    expect(reason(hex('1f 81 81 81 81 01 00'), { maxDepth: 4, highTagNumbers: true })).toBe('high-tag');
  });

  it('refuses lengths of more than four octets', () => {
    expect(reason(hex('04 85 0000000001 00'), { maxDepth: 2 })).toBe('oversized-length');
  });
});
