import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Activation evidence as the API returns it. */
export interface TimestampEvidenceFields {
  readonly sha256: string;
  readonly timestamp_token: string;
  readonly tsa_certificate: string;
}

/** `openssl ts -verify -digest … -in token.tsr -CAfile tsa.pem` over stored evidence, exactly as the README tells an auditor to run it. */
export function opensslVerifiesEvidence(evidence: TimestampEvidenceFields): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-'));
  try {
    writeFileSync(join(dir, 'token.tsr'), Buffer.from(evidence.timestamp_token, 'base64'));
    writeFileSync(join(dir, 'tsa.pem'), evidence.tsa_certificate);
    try {
      const output = execFileSync('openssl', ['ts', '-verify', '-digest', evidence.sha256, '-in', join(dir, 'token.tsr'), '-CAfile', join(dir, 'tsa.pem')], { encoding: 'utf8', stdio: 'pipe' });
      return { ok: true, output };
    } catch (error) {
      return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
