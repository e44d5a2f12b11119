import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // Benchmarks seed and measure through the apps' and libraries' own internals (handlers' steps, the store's row format), not their public APIs.
  { files: ['**/*.ts'], rules: { '@nx/enforce-module-boundaries': 'off' } },
];
