import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The layer rules in eslint.config.mjs, checked by linting probe sources placed in each project (one ESLint run).
const root = join(__dirname, '..', '..', '..');

interface Probe {
  readonly what: string;
  readonly project: string;
  readonly source: string;
  readonly allowed: boolean;
  /** A spec file (or a helper only specs import) rather than production code. */
  readonly file?: 'spec' | 'spec-support';
}

const probes: Probe[] = [
  { what: 'domain code importing NestJS', project: 'libs/partner-registry/domain', source: "import { Injectable } from '@nestjs/common';", allowed: false },
  { what: 'domain code importing an infrastructure driver', project: 'libs/partner-registry/domain', source: "import mongoose from 'mongoose';", allowed: false },
  { what: 'domain code importing the platform', project: 'libs/partner-registry/domain', source: "import { Ctx } from '@as2-partners/platform';", allowed: false },
  { what: 'the kernel importing Kafka', project: 'libs/kernel', source: "import { Kafka } from 'kafkajs';", allowed: false },
  { what: 'the kernel importing a service', project: 'libs/kernel', source: "import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';", allowed: false },
  { what: 'the AS2 library importing NestJS', project: 'libs/as2', source: "import { Module } from '@nestjs/common';", allowed: false },
  { what: 'an adapter importing another adapter', project: 'libs/event-store-sqlite', source: "import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';", allowed: false },
  { what: 'a service importing an adapter instead of a port', project: 'libs/partner-registry/service', source: "import { SqliteEventStore } from '@as2-partners/event-store-sqlite';", allowed: false },
  { what: "one context's service importing another context's domain", project: 'libs/certificate-lifecycle/service', source: "import { partnerDecider } from '@as2-partners/partner-registry-domain';", allowed: false },
  { what: "one context's domain importing another context's domain", project: 'libs/partner-registry/domain', source: "import { certificateDecider } from '@as2-partners/certificate-lifecycle-domain';", allowed: false },
  { what: 'the PKI library importing NestJS', project: 'libs/pki', source: "import { Module } from '@nestjs/common';", allowed: false },
  { what: 'the PKI library importing a protocol library', project: 'libs/pki', source: "import { As2Certificate } from '@as2-partners/as2';", allowed: false },
  { what: 'the PKI library importing a domain', project: 'libs/pki', source: "import { readCertificateUpload } from '@as2-partners/certificate-lifecycle-domain';", allowed: false },
  { what: 'the PKI library importing the kernel', project: 'libs/pki', source: "import { DomainError } from '@as2-partners/kernel';", allowed: false },
  { what: 'the AS2 library importing the PKI library', project: 'libs/as2', source: "import { readX509Certificate } from '@as2-partners/pki';", allowed: true },
  { what: 'the timestamping library importing the PKI library', project: 'libs/timestamping', source: "import { readX509Certificate } from '@as2-partners/pki';", allowed: true },
  { what: 'the certificate domain importing the PKI library', project: 'libs/certificate-lifecycle/domain', source: "import { readX509Certificate } from '@as2-partners/pki';", allowed: true },
  { what: 'the AS2 library importing a domain', project: 'libs/as2', source: "import { readCertificateUpload } from '@as2-partners/certificate-lifecycle-domain';", allowed: false },
  { what: 'domain code importing the kernel', project: 'libs/partner-registry/domain', source: "import { DomainError } from '@as2-partners/kernel';", allowed: true },
  { what: 'a service importing its domain and the platform', project: 'libs/partner-registry/service', source: "import { partnerDecider } from '@as2-partners/partner-registry-domain';\nimport { Ctx } from '@as2-partners/platform';", allowed: true },
  { what: 'an app composing a service', project: 'apps/all-in-one', source: "import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';", allowed: true },
  // Adapter selection: only apps (and test support) import the composition; the platform and services reach no adapter.
  { what: 'an app importing the composition', project: 'apps/all-in-one', source: "import { openInfrastructure } from '@as2-partners/composition';", allowed: true },
  { what: 'the composition loading an adapter', project: 'libs/composition', source: "export const adapter = () => import('@as2-partners/event-store-sqlite');", allowed: true },
  { what: 'a service importing the composition', project: 'libs/partner-registry/service', source: "import { openInfrastructure } from '@as2-partners/composition';", allowed: false },
  { what: "a service's spec importing the composition", project: 'libs/partner-registry/service', source: "import { openInfrastructure } from '@as2-partners/composition';", allowed: false, file: 'spec' },
  { what: 'the platform importing an adapter', project: 'libs/platform', source: "import { SqliteEventStore } from '@as2-partners/event-store-sqlite';", allowed: false },
  { what: 'the platform importing a distributed adapter', project: 'libs/platform', source: "import { KafkaEventBus } from '@as2-partners/messaging-kafka';", allowed: false },
  { what: 'test support importing the composition', project: 'libs/platform-testing', source: "import { openInfrastructure } from '@as2-partners/composition';", allowed: true },
  // Test support (layer:testing): spec files may import it, production files of every layer may not.
  { what: 'production app code importing platform test support', project: 'apps/all-in-one', source: "import { createEmbeddedTestApp } from '@as2-partners/platform-testing';", allowed: false },
  { what: 'an app spec importing platform test support', project: 'apps/all-in-one', source: "import { createEmbeddedTestApp } from '@as2-partners/platform-testing';", allowed: true, file: 'spec' },
  { what: 'production service code importing platform test support', project: 'libs/partner-registry/service', source: "import { createEmbeddedTestApp } from '@as2-partners/platform-testing';", allowed: false },
  { what: 'a service spec importing platform test support', project: 'libs/partner-registry/service', source: "import { createEmbeddedTestApp } from '@as2-partners/platform-testing';", allowed: true, file: 'spec' },
  { what: 'a helper only specs import using platform test support', project: 'libs/partner-registry/service', source: "import type { EmbeddedTestApp } from '@as2-partners/platform-testing';", allowed: true, file: 'spec-support' },
  { what: 'production service code importing the kernel test support', project: 'libs/certificate-lifecycle/service', source: "import { eventually } from '@as2-partners/kernel-testing';", allowed: false },
  { what: 'production domain code importing test certificates', project: 'libs/certificate-lifecycle/domain', source: "import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';", allowed: false },
  { what: 'a domain spec importing test certificates', project: 'libs/certificate-lifecycle/domain', source: "import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';", allowed: true, file: 'spec' },
  { what: 'production domain code importing the kernel test support', project: 'libs/partner-registry/domain', source: "import { DeciderSpecification } from '@as2-partners/kernel-testing';", allowed: false },
  { what: 'production adapter code importing the kernel test support', project: 'libs/event-store-sqlite', source: "import { eventStoreContract } from '@as2-partners/kernel-testing';", allowed: false },
  { what: 'an adapter spec importing the kernel test support', project: 'libs/event-store-sqlite', source: "import { eventStoreContract } from '@as2-partners/kernel-testing';", allowed: true, file: 'spec' },
  { what: 'production platform code importing the kernel test support', project: 'libs/platform', source: "import { eventually } from '@as2-partners/kernel-testing';", allowed: false },
  { what: 'production protocol code importing AS2 test support', project: 'libs/as2', source: "import { createTestIdentity } from '@as2-partners/as2-testing';", allowed: false },
  { what: 'a protocol spec importing AS2 test support', project: 'libs/as2', source: "import { createTestIdentity } from '@as2-partners/as2-testing';", allowed: true, file: 'spec' },
  { what: 'the kernel importing test support', project: 'libs/kernel', source: "import { createTestIdentity } from '@as2-partners/as2-testing';", allowed: false },
];

const probeFile = (index: number) => `src/layer-probe-${process.pid}-${index}${probes[index]!.file ? `.${probes[index]!.file}` : ''}.ts`;

describe('workspace layer rules (@nx/enforce-module-boundaries)', () => {
  const errors = new Map<number, string[]>();

  beforeAll(async () => {
    const files = probes.map((p, i) => join(root, p.project, probeFile(i)));
    try {
      await Promise.all(probes.map((p, i) => writeFile(files[i]!, `${p.source}\n`)));
      const eslint = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
      const output = await promisify(execFile)(process.execPath, [eslint, '--format', 'json', ...files], { cwd: root, maxBuffer: 16 * 1024 * 1024 }).then(
        (r) => r.stdout,
        (e: { stdout?: string }) => e.stdout ?? '[]',
      );
      for (const result of JSON.parse(output) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[]) {
        const index = files.indexOf(result.filePath);
        errors.set(index, result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message));
      }
    } finally {
      await Promise.all(files.map((f) => rm(f, { force: true })));
    }
  }, 120_000);

  it.each(probes.map((p, i) => [p.allowed ? 'allows' : 'forbids', p.what, i] as const))('%s %s', (_verdict, _what, index) => {
    const found = errors.get(index);
    expect(found).toBeDefined();
    if (probes[index]!.allowed) expect(found).toEqual([]);
    else expect(found).not.toEqual([]);
  });
});
