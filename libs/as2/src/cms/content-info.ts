import { childAt, expectTag, oidValue, readAsn1, Tag, type Asn1Element } from '../asn1/ber-reader';
import { der, type DerChunks, type DerPart } from '../asn1/der-writer';

export interface ContentInfo {
  readonly contentType: string;
  readonly content: Asn1Element;
}

export function readContentInfo(data: Buffer, what: string): ContentInfo {
  const root = expectTag(readAsn1(data), Tag.sequence, `${what} ContentInfo`);
  const contentType = oidValue(root.children[0], `${what} content type`);
  const wrapper = expectTag(childAt(root, 1, `${what} content`), Tag.context(0, true), `${what} [0] content`);
  return { contentType, content: childAt(wrapper, 0, `${what} content`) };
}

export function writeContentInfo(contentType: string, content: DerPart): DerChunks {
  return der.sequence(der.oid(contentType), der.contextExplicit(0, content));
}
