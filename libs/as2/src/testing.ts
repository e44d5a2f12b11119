// Test support shared by the library's interop suites and the test partner's: throw-away identities made with openssl.
export * from './interop/test-identity';
