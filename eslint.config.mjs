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

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', 'tools/.local', 'tmp', 'data'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // Layers: apps compose; services use domain, kernel and platform; adapters implement kernel ports.
            { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:service', 'layer:domain', 'layer:platform', 'layer:adapter', 'layer:kernel', 'layer:protocol', 'layer:pki', 'layer:testing'] },
            { sourceTag: 'layer:service', onlyDependOnLibsWithTags: ['layer:domain', 'layer:kernel', 'layer:platform', 'layer:protocol', 'layer:pki', 'layer:testing'] },
            { sourceTag: 'layer:platform', onlyDependOnLibsWithTags: ['layer:kernel', 'layer:adapter'] },
            { sourceTag: 'layer:adapter', onlyDependOnLibsWithTags: ['layer:kernel', 'layer:testing'] },
            { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: ['layer:kernel'] },
            { sourceTag: 'layer:domain', onlyDependOnLibsWithTags: ['layer:kernel', 'layer:pki', 'layer:testing'], bannedExternalImports: infrastructurePackages },
            { sourceTag: 'layer:kernel', onlyDependOnLibsWithTags: [], bannedExternalImports: infrastructurePackages },
            // Protocols (AS2, RFC 3161) share one ASN.1/X.509 stack; it depends on nothing of ours and no framework.
            { sourceTag: 'layer:protocol', onlyDependOnLibsWithTags: ['layer:pki'], bannedExternalImports: infrastructurePackages },
            { sourceTag: 'layer:pki', onlyDependOnLibsWithTags: [], bannedExternalImports: infrastructurePackages },
            // Bounded contexts: a context's libs see only their own context and shared libs.
            { sourceTag: 'scope:partner-registry', onlyDependOnLibsWithTags: ['scope:partner-registry', 'scope:shared'] },
            { sourceTag: 'scope:certificate-lifecycle', onlyDependOnLibsWithTags: ['scope:certificate-lifecycle', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
];
