import { randomBytes } from 'node:crypto';
import { Asn1Error, der, flatten } from '@as2-partners/pki';
import { DEFAULT_TSA_POLICY } from './tsa-policy';
import { hashAlgorithmByOid } from './hash-algorithms';
import { encodeStatusInfo, FailureInfoName, PkiStatus } from './pki-status';
import { decodeTimestampRequest, TimestampRequest } from './timestamp-request';
import { TimestampTokenSigner } from './timestamp-token-signer';
import { TsaIdentity } from './tsa-identity';
import { encodeTstInfo } from './tst-info';

export interface TimestampAuthorityOptions {
  readonly now?: () => Date;
  /** TSA policy OID put in every token (default: a documentation-arc OID that names this test TSA). */
  readonly policyOid?: string;
}

function rejection(failure: FailureInfoName, text: string): Buffer {
  return flatten(der.sequence(encodeStatusInfo(PkiStatus.rejection, text, failure)));
}

/** Answers TimeStampReq with TimeStampResp (RFC 3161 §2.4): a signed token, or a rejection saying why. */
export class TimestampAuthority {
  private readonly signer: TimestampTokenSigner;
  private readonly now: () => Date;
  private readonly policy: string;

  constructor(identity: TsaIdentity, options: TimestampAuthorityOptions = {}) {
    this.signer = new TimestampTokenSigner(identity);
    this.now = options.now ?? (() => new Date());
    this.policy = options.policyOid ?? DEFAULT_TSA_POLICY;
  }

  /** DER TimeStampReq in → DER TimeStampResp out. Never throws on bad input: returns a rejection status. */
  respond(requestDer: Buffer): Buffer {
    let request: TimestampRequest;
    try {
      request = decodeTimestampRequest(requestDer);
    } catch (error) {
      if (error instanceof Asn1Error) return rejection('badDataFormat', `not a TimeStampReq: ${error.message}`);
      throw error;
    }
    const algorithm = hashAlgorithmByOid(request.hashAlgorithmOid);
    if (!algorithm) return rejection('badAlg', `hash algorithm ${request.hashAlgorithmOid} is not accepted (sha1, sha256, sha384, sha512 are)`);
    if (request.hashedMessage.length !== algorithm.length) {
      return rejection('badDataFormat', `a ${algorithm.nodeName} imprint has ${algorithm.length} bytes, not ${request.hashedMessage.length}`);
    }
    if (request.policy && request.policy !== this.policy) return rejection('unacceptedPolicy', `this TSA only issues under policy ${this.policy}`);
    if (request.hasExtensions) return rejection('unacceptedExtension', 'this TSA supports no request extensions');

    const genTime = this.now();
    const serialNumber = randomBytes(16);
    const tstInfo = encodeTstInfo({
      policy: this.policy,
      messageImprintDer: request.messageImprintDer,
      serialNumber,
      genTime,
      nonceDer: request.nonceDer,
      tsaNameDer: this.signer.subjectNameDer,
    });
    const token = this.signer.sign(tstInfo, genTime, request.certReq);
    return flatten(der.sequence(encodeStatusInfo(PkiStatus.granted), token));
  }
}
