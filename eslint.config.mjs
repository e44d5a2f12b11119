import nx from '@nx/eslint-plugin';

// Frameworks and infrastructure that domain and kernel code must never import.
const infrastructurePackages = [
  '@nestjs/*',
  'fastify',
  '@fastify/*',
  'mongoose',
  'mongodb',
  'kafkajs',
  '@eventstore/*',
  'better-sqlite3',
  'mingo',
  'testcontainers',
];

// Layers: apps compose; composition picks the adapters; services use domain, kernel and platform; adapters implement kernel ports.
// Only apps and test support import the composition, so no service or platform code reaches an adapter.
const productionLayers = [
  { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:composition', 'layer:service', 'layer:domain', 'layer:platform', 'layer:kernel', 'layer:protocol', 'layer:pki'] },
  { sourceTag: 'layer:composition', onlyDependOnLibsWithTags: ['layer:platform', 'layer:adapter', 'layer:kernel'] },
  { sourceTag: 'layer:service', onlyDependOnLibsWithTags: ['layer:domain', 'layer:kernel', 'layer:platform', 'layer:protocol', 'layer:pki'] },
  { sourceTag: 'layer:platform', onlyDependOnLibsWithTags: ['layer:kernel'] },
  { sourceTag: 'layer:adapter', onlyDependOnLibsWithTags: ['layer:kernel'] },
  { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: ['layer:testing', 'layer:composition', 'layer:platform', 'layer:kernel', 'layer:pki'] },
  { sourceTag: 'layer:domain', onlyDependOnLibsWithTags: ['layer:kernel', 'layer:pki'], bannedExternalImports: infrastructurePackages },
  { sourceTag: 'layer:kernel', onlyDependOnLibsWithTags: [], bannedExternalImports: infrastructurePackages },
  // Protocols (AS2, RFC 3161) share one ASN.1/X.509 stack; it depends on nothing of ours and no framework.
  { sourceTag: 'layer:protocol', onlyDependOnLibsWithTags: ['layer:pki'], bannedExternalImports: infrastructurePackages },
  { sourceTag: 'layer:pki', onlyDependOnLibsWithTags: [], bannedExternalImports: infrastructurePackages },
];

// Test files: a layer's own imports plus test support (layer:testing); app specs may also wire adapters directly.
const testLayers = productionLayers.map((rule) => ({
  ...rule,
  onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'layer:testing', ...(rule.sourceTag === 'layer:app' ? ['layer:adapter'] : [])],
}));

const testFiles = ['**/*.spec.ts', '**/*.spec-support.ts'];

// Bounded contexts: a context's libs see only their own context and shared libs.
const contexts = [
  { sourceTag: 'scope:partner-registry', onlyDependOnLibsWithTags: ['scope:partner-registry', 'scope:shared'] },
  { sourceTag: 'scope:certificate-lifecycle', onlyDependOnLibsWithTags: ['scope:certificate-lifecycle', 'scope:shared'] },
  { sourceTag: 'scope:traffic-control', onlyDependOnLibsWithTags: ['scope:traffic-control', 'scope:shared'] },
  { sourceTag: 'scope:connection-tester', onlyDependOnLibsWithTags: ['scope:connection-tester', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['*'] },
];

const moduleBoundaries = (layers) => ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints: [...layers, ...contexts] }];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', 'tools/.local', 'tmp', 'data'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(productionLayers),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Specs (and the helpers only they import) may use test support; production files may not.
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(testLayers) },
  },
  {
    files: ['**/*.spec.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
];
