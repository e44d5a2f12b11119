// Shared by every project's jest.config.ts: SWC transpiles TypeScript with decorator metadata
// (NestJS dependency injection needs it); the Nx resolver maps tsconfig path aliases.
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(unit|int|e2e|contract).spec.ts'],
  // 60 s per test for int and e2e specs, 5 s for the rest (see the file).
  setupFilesAfterEnv: [require.resolve('./tools/test/test-level-budgets.js')],
  coverageReporters: ['text-summary'],
};
