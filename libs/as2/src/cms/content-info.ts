import { childAt, expectTag, oidOf, Tag, type Asn1Element } from '@as2-partners/pki';
import { readCms } from './cms-structure';

export interface ContentInfo {
  readonly contentType: string;
  readonly content: Asn1Element;
}

export function readContentInfo(data: Buffer, what: string): ContentInfo {
  const root = expectTag(readCms(data), Tag.sequence, `${what} ContentInfo`);
  const contentType = oidOf(root.children[0], `${what} content type`);
  const wrapper = expectTag(childAt(root, 1, `${what} content`), Tag.context(0, true), `${what} [0] content`);
  return { contentType, content: childAt(wrapper, 0, `${what} content`) };
}
