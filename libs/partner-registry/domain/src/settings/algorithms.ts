export const SIGN_ALGORITHMS = ['SHA1withRSA', 'SHA256withRSA', 'SHA384withRSA', 'SHA512withRSA'] as const;
export type SignAlgorithm = (typeof SIGN_ALGORITHMS)[number];

export const ENCRYPT_ALGORITHMS = ['3DES', 'AES128_CBC', 'AES192_CBC', 'AES256_CBC'] as const;
export type EncryptAlgorithm = (typeof ENCRYPT_ALGORITHMS)[number];

export const MDN_MODES = ['sync', 'async', 'none'] as const;
export type MdnMode = (typeof MDN_MODES)[number];

export function isSignAlgorithm(value: unknown): value is SignAlgorithm {
  return (SIGN_ALGORITHMS as readonly unknown[]).includes(value);
}

export function isEncryptAlgorithm(value: unknown): value is EncryptAlgorithm {
  return (ENCRYPT_ALGORITHMS as readonly unknown[]).includes(value);
}

export function isMdnMode(value: unknown): value is MdnMode {
  return (MDN_MODES as readonly unknown[]).includes(value);
}
