import { buildAs2MessageAsync, buildSignedAttributes, RemoteKeystore, RemoteKeystoreError, type RemoteKeyRef } from '@as2-partners/as2';
import { DomainError } from '@as2-partners/kernel';
import type { KeyAliasRef, OurAs2Signer } from './our-as2-signer.port';
import type { RemoteKeystoreConfig } from './remote-keystore.config';

/** tenant null (an account-level instance): the account's keystore, as the internal route reads it for a token without a tenant. */
function remoteRef(ref: KeyAliasRef): RemoteKeyRef {
  return { account: ref.account, tenant: ref.tenant, alias: ref.alias };
}

/**
 * OUR_AS2_SIGNER in a tester of its own (distributed mode): libs/as2 builds the message here and only the CMS signed
 * attributes go to the certificate-lifecycle service's `/internal/v1/keys/{alias}/sign`, so the key never leaves it.
 */
export class RemoteKeystoreSigner implements OurAs2Signer {
  private readonly keystore: RemoteKeystore;

  constructor(config: RemoteKeystoreConfig, fetchImpl?: typeof fetch) {
    this.keystore = new RemoteKeystore({ baseUrl: config.baseUrl, token: config.token, timeoutMs: config.timeoutMs, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  }

  buildAs2Message: OurAs2Signer['buildAs2Message'] = async (ref, options) => {
    const { sign, ...rest } = options;
    return buildAs2MessageAsync({ ...rest, ...(sign ? { sign: { signer: this.keystore.signer(remoteRef(ref)), algorithm: sign.algorithm } } : {}) });
  };

  /**
   * Before a test is counted: whether the alias has a key that signs (one signature over probe attributes, never sent).
   * A keystore that cannot be reached is not "no key": it answers 503 KEYSTORE_UNAVAILABLE.
   */
  async hasSigningKey(ref: KeyAliasRef): Promise<boolean> {
    try {
      await this.keystore.signer(remoteRef(ref)).signAttributes(buildSignedAttributes(Buffer.alloc(32), new Date()), 'sha256');
      return true;
    } catch (error) {
      if (error instanceof RemoteKeystoreError && error.code === 'KEY_NOT_FOUND') return false;
      if (error instanceof DomainError) return false;
      throw new DomainError('KEYSTORE_UNAVAILABLE', `The keystore that signs as our AS2 instance could not be asked: ${error instanceof Error ? error.message : 'unknown error'}`);
    }
  }
}
