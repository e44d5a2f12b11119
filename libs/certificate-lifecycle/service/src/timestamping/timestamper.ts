import { readFile } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import { DomainError } from '@as2-partners/kernel';
import { InvalidConfigurationError } from '@as2-partners/platform';
import {
  loadOrCreateTsaIdentity,
  requestTimestamp,
  startTsaServer,
  TimestampAuthority,
  TimestampError,
  type RunningTsa,
} from '@as2-partners/timestamping';
import type { CertificateLifecycleConfig } from '../config/certificate-lifecycle.config';

/** An RFC 3161 token over a document, with what a verifier needs beside it. */
export interface TimestampEvidence {
  readonly timestampToken: string;
  readonly tsaCertificate: string;
  readonly tsaUrl: string;
  readonly genTime: string;
}

/** The port activations stamp their evidence through. */
export interface Timestamper {
  stamp(document: string): Promise<TimestampEvidence>;
  close(): Promise<void>;
}

export const TIMESTAMPER = Symbol('Timestamper');

export function tsaUnavailable(reason: string): DomainError {
  return new DomainError('TIMESTAMP_AUTHORITY_UNAVAILABLE', `The timestamp authority could not stamp the evidence: ${reason}`);
}

/** Asks a TSA over HTTP; `trustedPem` is the TSA certificate and chain stored with each token (from config, else from the token). */
export class HttpTimestamper implements Timestamper {
  constructor(
    private readonly url: string,
    private readonly trustedPem: string | null,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  async stamp(document: string): Promise<TimestampEvidence> {
    try {
      const result = await requestTimestamp({ url: this.url, data: Buffer.from(document, 'utf8') });
      return {
        timestampToken: result.responseDer.toString('base64'),
        tsaCertificate: this.trustedPem ?? result.tsaCertificatesPem.join(''),
        tsaUrl: this.url,
        genTime: result.genTime.toISOString(),
      };
    } catch (error) {
      if (error instanceof TimestampError) throw tsaUnavailable(`${error.code}: ${error.message}`);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/**
 * TSA_URL when configured; otherwise the bundled TSA, started in-process on a loopback port with its identity kept
 * in the data directory (so tokens stay verifiable with the same CA across restarts).
 */
export async function openTimestamper(config: CertificateLifecycleConfig): Promise<Timestamper> {
  if (config.tsaUrl) {
    const trusted = config.tsaCertificateFile ? await readFile(config.tsaCertificateFile, 'utf8') : null;
    return new HttpTimestamper(config.tsaUrl, trusted);
  }
  const identity = bundledTsaIdentity(config.bundledTsaDir);
  const running: RunningTsa = await startTsaServer({ authority: new TimestampAuthority(identity), port: 0, host: '127.0.0.1' });
  new Logger('Timestamper').log(`No TSA_URL: using the bundled TSA at ${running.url} (identity in ${config.bundledTsaDir})`);
  return new HttpTimestamper(running.url, [identity.certificatePem, ...identity.chainPem].join(''), () => running.close());
}

/** The file system's ways of saying a directory cannot be made or written where it lies. */
const UNWRITABLE_CODES: ReadonlySet<string> = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EEXIST']);

/**
 * The bundled TSA's identity from TSA_DIR, made there the first time. A directory that holds none and cannot take one
 * (a read-only mount without the Secret as2-partners-tsa, a path under a file) stops the start naming TSA_DIR.
 */
function bundledTsaIdentity(dir: string) {
  try {
    return loadOrCreateTsaIdentity(dir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !UNWRITABLE_CODES.has(code)) throw error;
    throw new InvalidConfigurationError(
      'TSA_DIR',
      `(${dir}) holds no TSA identity (tsa-key.pem, tsa-cert.pem, tsa-chain.pem) and cannot be written (${code}): put one there (npm run tsa -- --dir <dir> writes it; in Kubernetes the Secret as2-partners-tsa) or set TSA_URL to your own TSA`,
    );
  }
}
