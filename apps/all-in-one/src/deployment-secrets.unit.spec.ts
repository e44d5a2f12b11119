import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// The deployments shipped in this repository: secrets come from the operator, never from a default in a file here.
const root = join(__dirname, '..', '..', '..');
const yamlAt = (path: string) => parse(readFileSync(join(root, path), 'utf8'));
const SECRETS = ['JWT_SECRET', 'PARTNER_SECRETS_KEY', 'KEYSTORE_MASTER_KEY'];

interface EnvEntry {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } };
}

describe('docker-compose.yml', () => {
  const services = yamlAt('docker-compose.yml').services as Record<string, { ports?: string[]; environment?: Record<string, string> }>;

  it('does not publish the insecure EventStoreDB on the host', () => expect(services['eventstore']?.ports).toBeUndefined());

  it.each([
    ['partner-registry', ['JWT_SECRET', 'PARTNER_SECRETS_KEY']],
    ['certificate-lifecycle', ['JWT_SECRET', 'KEYSTORE_MASTER_KEY']],
    ['traffic-control', ['JWT_SECRET']],
    ['connection-tester', ['JWT_SECRET']],
  ])('%s takes %j from the environment (.env) with no default, failing when unset', (service, names) => {
    for (const name of names) expect(services[service]?.environment?.[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`));
  });
});

describe('k8s', () => {
  const containerEnv = (file: string): EnvEntry[] => yamlAt(file).spec.template.spec.containers[0].env;

  it.each([
    ['k8s/base/partner-registry-deployment.yaml', ['JWT_SECRET', 'PARTNER_SECRETS_KEY']],
    ['k8s/base/certificate-lifecycle-deployment.yaml', ['JWT_SECRET', 'KEYSTORE_MASTER_KEY']],
    ['k8s/base/traffic-control-deployment.yaml', ['JWT_SECRET']],
    ['k8s/base/connection-tester-deployment.yaml', ['JWT_SECRET']],
  ])('%s reads %j from the Secret as2-partners-secrets', (file, names) => {
    const env = containerEnv(file);
    for (const name of names) {
      expect(env.find((e) => e.name === name)).toEqual({ name, valueFrom: { secretKeyRef: { name: 'as2-partners-secrets', key: name } } });
    }
  });

  it('keeps no secret in a ConfigMap, and the dev overlay generates the Secret from an ignored local file', () => {
    for (const file of ['k8s/base/partner-registry-configmap.yaml', 'k8s/base/certificate-lifecycle-configmap.yaml', 'k8s/base/traffic-control-configmap.yaml', 'k8s/base/connection-tester-configmap.yaml']) {
      for (const name of [...SECRETS, 'SMTP_URL']) expect(Object.keys(yamlAt(file).data)).not.toContain(name);
    }
    const generator = yamlAt('k8s/overlays/dev/kustomization.yaml').secretGenerator as { name: string; envs: string[] }[];
    expect(generator).toEqual([
      expect.objectContaining({ name: 'as2-partners-secrets', envs: ['secrets.env'] }),
      expect.objectContaining({ name: 'as2-partners-tsa', files: ['tsa/tsa-key.pem', 'tsa/tsa-cert.pem', 'tsa/tsa-chain.pem'] }),
    ]);
    expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['k8s/overlays/*/secrets.env', 'k8s/overlays/*/tsa/']));
  });
});
