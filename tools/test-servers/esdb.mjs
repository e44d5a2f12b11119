// Provides EventStoreDB for integration tests: ESDB_URL if set, else an eventstore/eventstore container when a
// container runtime answers. There is no third way: EventStoreDB ships as a container or OS packages, not through
// the registries this workspace uses, so without ESDB_URL and a container runtime this throws and says why.
const IMAGE = 'eventstore/eventstore:24.10';
const HTTP_PORT = 2113;
const RUNTIME_PROBE_MS = 5_000;
const STARTUP_TIMEOUT_MS = 120_000;

/** @param {{ ci?: boolean }} options */
export async function provide({ ci = false } = {}) {
  const fromEnv = process.env.ESDB_URL;
  if (fromEnv) return { env: { ESDB_URL: fromEnv }, source: 'env', stop: async () => {} };
  const probe = await containerRuntime();
  if (!probe.runtime) {
    throw new Error(
      `EventStoreDB: ESDB_URL is not set and no container runtime answers (${probe.reason}); ` +
        `EventStoreDB is only available here as the ${IMAGE} container${ci ? ' (allowed missing in CI)' : ''}`,
    );
  }
  return fromContainer();
}

async function containerRuntime() {
  let timer;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    // testcontainers answers at once when no strategy applies; the timeout guards a socket that hangs.
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${RUNTIME_PROBE_MS} ms`)), RUNTIME_PROBE_MS);
    });
    return { runtime: await Promise.race([getContainerRuntimeClient(), timeout]) };
  } catch (error) {
    return { runtime: null, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function fromContainer() {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(IMAGE)
    .withExposedPorts(HTTP_PORT)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_START_STANDARD_PROJECTIONS: 'false',
      EVENTSTORE_MEM_DB: 'true',
    })
    .withWaitStrategy(Wait.forHttp('/health/live', HTTP_PORT).forStatusCodeMatching((code) => code >= 200 && code < 300))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
  const url = `esdb://${container.getHost()}:${container.getMappedPort(HTTP_PORT)}?tls=false`;
  return { env: { ESDB_URL: url }, source: 'testcontainers', stop: async () => void (await container.stop()) };
}
