// Test support for the AS2 interop suites and the test partner's: throw-away identities made with openssl, and a pyas2lib peer.
export * from './test-identity';
export * from './pyas2-peer';
export * from './test-partner-process';
