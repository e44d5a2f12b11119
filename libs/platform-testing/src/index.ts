// Test support for API suites: never imported by production code (the layer rules in eslint.config.mjs forbid it).
export * from './consumer-group-namespace';
export * from './create-embedded-test-app';
export * from './data-dir-files';
export * from './captured-log-lines';
export * from './create-test-http-app';
export * from './hs256-test-token';
export * from './distributed-test-services';
export * from './free-port';
