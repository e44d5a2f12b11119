import { childAt, expectTag, octetStringValue, oidOf, Tag } from '@as2-partners/pki';
import { contentInfo, der, flatten, Oid } from '@as2-partners/pki';
import { deflate, inflate } from '../crypto/crypto-primitives';
import { As2Error } from '../errors/as2-error';
import { readingCms } from './cms-structure';
import { readContentInfo } from './content-info';

/** CMS CompressedData (RFC 3274) with zlib, as RFC 5402 prescribes for AS2. */
export function compress(content: readonly Buffer[]): Buffer {
  const compressed = deflate(content);
  const body = der.sequence(
    der.integer(0),
    der.algorithm(Oid.zlibCompress),
    der.sequence(der.oid(Oid.data), der.explicit(0, der.octetString(compressed))),
  );
  return flatten(contentInfo(Oid.compressedData, body));
}

export function decompress(data: Buffer, maxOutputBytes: number): Buffer {
  return readingCms(() => decompressCms(data, maxOutputBytes));
}

function decompressCms(data: Buffer, maxOutputBytes: number): Buffer {
  const info = readContentInfo(data, 'The compressed message');
  if (info.contentType !== Oid.compressedData) {
    throw new As2Error('MALFORMED_CMS', `The compressed message is CMS content type ${info.contentType}, expected compressed-data (${Oid.compressedData}).`);
  }
  const compressed = expectTag(info.content, Tag.sequence, 'CompressedData');
  const algorithm = oidOf(childAt(childAt(compressed, 1, 'compression algorithm'), 0, 'compression algorithm'), 'compression algorithm');
  if (algorithm !== Oid.zlibCompress) {
    throw new As2Error('UNSUPPORTED_ALGORITHM', `The message is compressed with ${algorithm}; only zlib (${Oid.zlibCompress}) is supported.`);
  }
  const encap = expectTag(childAt(compressed, 2, 'compressed content'), Tag.sequence, 'EncapsulatedContentInfo');
  const wrapper = expectTag(childAt(encap, 1, 'compressed content'), Tag.context(0, true), 'compressed content [0]');
  return inflate(octetStringValue(childAt(wrapper, 0, 'compressed content')), maxOutputBytes);
}
