import type { DigestAlgorithm } from '../crypto/algorithms';
import { As2Certificate } from '../pki/certificate';
import type { As2Decryptor, UnwrappedContentKeys } from './as2-decryptor';
import type { As2Signer } from './as2-signer';

/** Whose key: an AS2 instance's account, tenant and `my_as2_alias`. */
export interface RemoteKeyRef {
  readonly account: string;
  /** null: the account's own keystore (an account-level AS2 instance), for a keystore token without a tenant claim. */
  readonly tenant: string | null;
  readonly alias: string;
}

export interface RemoteKeystoreOptions {
  /** Base URL of the keystore service (the certificate-lifecycle service), e.g. `http://certificate-lifecycle:3000`. */
  readonly baseUrl: string;
  /** A bearer JWT with role `gateway` (account-scoped, or `*` for every account), read at each call so a rotated one is used. */
  readonly token: () => string | Promise<string>;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** The keystore answered with an error: `code` is its error code (KEY_NOT_FOUND, …), `status` the HTTP status (0: not reached). */
export class RemoteKeystoreError extends Error {
  override readonly name = 'RemoteKeystoreError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface SignAnswer {
  readonly signature_value: string;
  readonly certificates: readonly string[];
}

interface UnwrapAnswer {
  readonly candidates: readonly { readonly key: string; readonly certificate_fingerprint_sha256: string }[];
  readonly matched: boolean;
  readonly certificates: readonly string[];
}

/**
 * The signer and decryptor of one of our identities whose private key stays in the keystore service: this client sends
 * only the signed attributes to sign (`POST /internal/v1/keys/{alias}/sign`) and the key-transport blobs to unwrap
 * (`POST /internal/v1/keys/{alias}/decrypt`); the CMS structures are built and opened here.
 */
export class RemoteKeystore {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: RemoteKeystoreOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  signer(ref: RemoteKeyRef): As2Signer {
    return {
      signAttributes: async (signedAttributes: Buffer, algorithm: DigestAlgorithm) => {
        const answer = await this.call<SignAnswer>(ref, 'sign', { signed_attributes: signedAttributes.toString('base64'), algorithm });
        const certificates = answer.certificates.map((c) => As2Certificate.from(Buffer.from(c, 'base64')));
        if (certificates.length === 0) throw new RemoteKeystoreError(502, 'INVALID_KEYSTORE_ANSWER', 'The keystore named no certificate for its signature');
        return { signature: Buffer.from(answer.signature_value, 'base64'), certificates: certificates as [As2Certificate, ...As2Certificate[]] };
      },
    };
  }

  decryptor(ref: RemoteKeyRef): As2Decryptor {
    return {
      unwrapContentKey: async (recipients, keyLength): Promise<UnwrappedContentKeys> => {
        const answer = await this.call<UnwrapAnswer>(ref, 'decrypt', {
          key_transport: {
            recipients: recipients.map((r) => ({ recipient_identifier: r.recipientIdentifier.toString('base64'), encrypted_key: r.encryptedKey.toString('base64') })),
            key_length: keyLength,
          },
        });
        const certificates = answer.certificates.map((c) => As2Certificate.from(Buffer.from(c, 'base64')));
        const byFingerprint = new Map(certificates.map((c) => [c.fingerprint.replace(/:/g, '').toLowerCase(), c]));
        const candidates = answer.candidates.flatMap((candidate) => {
          const certificate = byFingerprint.get(candidate.certificate_fingerprint_sha256);
          return certificate ? [{ key: Buffer.from(candidate.key, 'base64'), certificate }] : [];
        });
        return { candidates, matched: answer.matched, certificates };
      },
    };
  }

  private async call<T>(ref: RemoteKeyRef, operation: 'sign' | 'decrypt', body: Record<string, unknown>): Promise<T> {
    const url = new URL(`internal/v1/keys/${encodeURIComponent(ref.alias)}/${operation}`, this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.options.token()}` },
        body: JSON.stringify({ ...body, account: ref.account, tenant: ref.tenant }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        redirect: 'error',
      });
    } catch (error) {
      throw new RemoteKeystoreError(0, 'KEYSTORE_UNREACHABLE', `The keystore at ${url.origin} could not be reached (${error instanceof Error ? error.message : 'unknown error'})`);
    }
    const text = await response.text();
    let parsed: { data?: T; message?: string; error?: { code?: string } } | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok || !parsed?.data) {
      const code = parsed?.error?.code ?? 'KEYSTORE_ERROR';
      throw new RemoteKeystoreError(response.status, code, `The keystore refused to ${operation} with alias ${ref.alias}: HTTP ${response.status} ${code}${parsed?.message ? ` (${parsed.message})` : ''}`);
    }
    return parsed.data;
  }
}
