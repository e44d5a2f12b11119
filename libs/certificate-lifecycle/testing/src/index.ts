// Test support for this context's suites and benchmarks: throw-away certificates, never for production use.
export {
  issueTestCertificate,
  testChain,
  type TestCertificate,
  type TestCertificateOptions,
  type TestChain,
} from './test-certificate-factory';
