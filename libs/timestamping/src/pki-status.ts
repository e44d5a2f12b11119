import { der, flatten } from '@as2-partners/pki';

/** PKIStatus values (RFC 3161 §2.4.2). */
export const PkiStatus = { granted: 0, grantedWithMods: 1, rejection: 2, waiting: 3, revocationWarning: 4, revocationNotification: 5 } as const;

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
export const FailureInfo = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const;

export type FailureInfoName = keyof typeof FailureInfo;

export function failureInfoName(bit: number): string {
  return (Object.keys(FailureInfo) as FailureInfoName[]).find((name) => FailureInfo[name] === bit) ?? `bit ${bit}`;
}

export function encodeStatusInfo(status: number, text?: string, failure?: FailureInfoName): Buffer {
  return flatten(der.sequence(
    der.integer(status),
    ...(text ? [der.sequence(der.utf8String(text))] : []),
    ...(failure ? [der.namedBits([FailureInfo[failure]])] : []),
  ));
}
