import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_BUS, topicOf, type EventBus } from '@as2-partners/kernel';
import type { EmbeddedTestApp } from '@as2-partners/platform-testing';
import { randomUUID } from 'node:crypto';

/** The openssl binary in a scratch directory: key files and CMS checks made by an implementation nobody here wrote. */
export function opensslWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'our-keys-'));
  const path = (name: string) => join(dir, name);
  const run = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    dir,
    path,
    run,
    write: (name: string, content: string | Buffer) => {
      writeFileSync(path(name), content);
      return path(name);
    },
    read: (name: string) => readFileSync(path(name)),
    /** An RSA key and self-signed certificate, and a PKCS#12 file of both with `password`. */
    identity(name: string, password: string, bits = 2048) {
      run('req', '-x509', '-newkey', `rsa:${bits}`, '-nodes', '-keyout', path(`${name}.key`), '-out', path(`${name}.pem`), '-days', '60', '-subj', `/CN=${name}/O=Our Company`);
      run('pkcs12', '-export', '-inkey', path(`${name}.key`), '-in', path(`${name}.pem`), '-out', path(`${name}.p12`), '-passout', `pass:${password}`);
      return { keyPem: readFileSync(path(`${name}.key`), 'utf8'), certificatePem: readFileSync(path(`${name}.pem`), 'utf8'), p12: readFileSync(path(`${name}.p12`)) };
    },
    /** An RSA key whose certificate a CA issued through an intermediate (root → intermediate → leaf), each file beside the others. */
    chainedIdentity(name: string) {
      const ca = path(`${name}-ca.ext`);
      writeFileSync(ca, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
      writeFileSync(path(`${name}-leaf.ext`), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
      run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path(`${name}-root.key`), '-out', path(`${name}-root.pem`), '-days', '60', '-subj', `/CN=${name} Root CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
      const issue = (subject: string, file: string, issuer: string, ext: string) => {
        run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', path(`${file}.key`), '-out', path(`${file}.csr`), '-subj', subject);
        run('x509', '-req', '-in', path(`${file}.csr`), '-CA', path(`${issuer}.pem`), '-CAkey', path(`${issuer}.key`), '-set_serial', String(Date.now()), '-days', '30', '-extfile', ext, '-out', path(`${file}.pem`));
      };
      issue(`/CN=${name} Intermediate CA`, `${name}-int`, `${name}-root`, ca);
      issue(`/CN=${name}/O=Our Company`, name, `${name}-int`, path(`${name}-leaf.ext`));
      const read = (file: string) => readFileSync(path(`${file}.pem`), 'utf8');
      return { keyPem: readFileSync(path(`${name}.key`), 'utf8'), certificatePem: read(name), intermediatePem: read(`${name}-int`), rootPem: read(`${name}-root`) };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Publishes an `as2_instance.*` event on the partner-registry's topic, as that service does (the cross-service contract). */
export async function publishInstanceEvent(t: EmbeddedTestApp, type: string, data: Record<string, unknown> & { instanceId: string; account: string; tenant: string | null }) {
  const bus = t.app.get<EventBus>(EVENT_BUS);
  await bus.publish(topicOf('partner-registry'), [
    {
      id: randomUUID(),
      type,
      schemaVersion: 1,
      data,
      metadata: { account: data.account, tenant: data.tenant, correlationId: randomUUID(), causationId: null, actor: { type: 'user', id: 'test' }, occurredAt: new Date().toISOString() },
      stream: `as2_instance-${data.instanceId}`,
      revision: 0,
      position: 0,
    },
  ]);
}

export const KEY_ID = /^key_[0-9A-HJKMNP-TV-Z]{26}$/;
