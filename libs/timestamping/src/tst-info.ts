import { Asn1Element, Asn1Error, der, expectTag, flatten, generalizedTimeOf, integerHexOf, oidOf, readDer, smallIntegerOf, Tag } from '@as2-partners/pki';

export interface NewTstInfo {
  readonly policy: string;
  /** MessageImprint element copied from the request. */
  readonly messageImprintDer: Buffer;
  /** Big-endian magnitude of the serial number. */
  readonly serialNumber: Buffer;
  readonly genTime: Date;
  /** Nonce INTEGER element copied from the request. */
  readonly nonceDer?: Buffer;
  /** The TSA's subject Name, sent as GeneralName directoryName. */
  readonly tsaNameDer?: Buffer;
}

/** A decoded TSTInfo (RFC 3161 §2.4.2). */
export interface TstInfo {
  readonly policy: string;
  readonly hashAlgorithmOid: string;
  readonly hashedMessage: Buffer;
  readonly serialNumber: string;
  readonly genTime: Date;
  /** Nonce INTEGER content octets, when present. */
  readonly nonce?: Buffer;
}

// ±1 s: genTime comes from the host clock, which we trust to that much, not to the millisecond it shows.
const accuracy = der.sequence(der.integer(1));

export function encodeTstInfo(info: NewTstInfo): Buffer {
  return flatten(der.sequence(
    der.integer(1),
    der.oid(info.policy),
    info.messageImprintDer,
    der.integer(info.serialNumber),
    der.generalizedTime(info.genTime),
    accuracy,
    ...(info.nonceDer ? [info.nonceDer] : []),
    ...(info.tsaNameDer ? [der.explicit(0, der.explicit(4, info.tsaNameDer))] : []),
  ));
}

function optional(children: readonly Asn1Element[], index: number, tag: number): Asn1Element | undefined {
  return children[index]?.tag === tag ? children[index] : undefined;
}

/** Throws Asn1Error when the bytes are not a v1 TSTInfo. */
export function decodeTstInfo(tstInfoDer: Buffer): TstInfo {
  const info = expectTag(readDer(tstInfoDer), Tag.sequence, 'TSTInfo');
  const [version, policy, imprint, serial, genTime] = info.children;
  if (smallIntegerOf(version, 'TSTInfo.version') !== 1) throw new Asn1Error('TSTInfo.version is not 1');
  const [algorithm, hashed] = expectTag(imprint, Tag.sequence, 'TSTInfo.messageImprint').children;
  let index = 5;
  if (optional(info.children, index, Tag.sequence)) index++;
  if (optional(info.children, index, Tag.boolean)) index++;
  const nonce = optional(info.children, index, Tag.integer);
  return {
    policy: oidOf(policy, 'TSTInfo.policy'),
    hashAlgorithmOid: oidOf(expectTag(algorithm, Tag.sequence, 'TSTInfo.messageImprint.hashAlgorithm').children[0], 'TSTInfo.messageImprint.hashAlgorithm'),
    hashedMessage: expectTag(hashed, Tag.octetString, 'TSTInfo.messageImprint.hashedMessage').content,
    serialNumber: integerHexOf(serial, 'TSTInfo.serialNumber'),
    genTime: generalizedTimeOf(genTime, 'TSTInfo.genTime'),
    nonce: nonce?.content,
  };
}
