/**
 * Integration suites run against real servers whose addresses arrive in environment variables
 * (KAFKA_BROKERS, MONGO_URL, ESDB_URL), set by the user or by tools/test/run-tests.mjs, which provisions
 * them (env → testcontainers → local servers from the registries).
 *
 * `describeWithServer('KAFKA_BROKERS', 'kafka bus', (brokers) => { ... })`:
 * - variable set: the suite runs with its value;
 * - unset and CI=true: the suite fails (an integration suite never skips silently in CI), unless the
 *   server is listed in `allowedMissingInCi` with a reason (only EventStoreDB without a container runtime);
 * - unset elsewhere: the suite is skipped, and one line says why.
 */
export function describeWithServer(
  variable: string,
  title: string,
  body: (value: string) => void,
  options: { allowedMissingInCi?: string } = {},
): void {
  const value = process.env[variable];
  if (value) {
    describe(title, () => body(value));
    return;
  }
  const ci = process.env['CI'] === 'true';
  if (ci && !options.allowedMissingInCi) {
    describe(title, () => {
      it(`needs ${variable}`, () => {
        throw new Error(`${variable} is not set: run the suite through \`npm test\`, which provisions the server, or set ${variable}`);
      });
    });
    return;
  }
  const why = options.allowedMissingInCi ?? `${variable} is not set (run \`npm test\` to provision it)`;
  console.warn(`[integration] skipped "${title}": ${why}`);
  describe.skip(title, () => body(''));
}
