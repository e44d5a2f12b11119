// Test support for the AS2 interop suites and the test partner's: throw-away identities made with openssl, and the pyas2lib and phax as2-lib peers.
export * from './test-identity';
export * from './pyas2-peer';
export * from './test-partner-process';
export * from './phax-as2-peer';
