import { ProjectionRegistry, type Projection } from '@as2-partners/kernel';
import type { PlatformConfig } from '../config/platform-config';
import { LAG_READ_TIMEOUT_MS, PipelineMonitor } from './pipeline-monitor';

/** A projection whose store stopped answering: its lag never settles. */
function hangingProjection(): Projection {
  return {
    name: 'hanging-view',
    start: async () => undefined,
    stop: async () => undefined,
    rebuild: async () => undefined,
    waitFor: async () => undefined,
    lag: () => new Promise(() => undefined),
  };
}

describe('PipelineMonitor', () => {
  afterEach(() => jest.useRealTimers());

  it('reports a follower whose lag cannot be read in time as unknown, so /health/ready still answers while a store hangs', async () => {
    jest.useFakeTimers();
    const registry = new ProjectionRegistry();
    registry.register(hangingProjection());
    const monitor = new PipelineMonitor(registry, { pipelineStallSeconds: 120 } as PlatformConfig);
    let report: unknown;
    void monitor.report().then((entries) => (report = entries));
    await jest.advanceTimersByTimeAsync(LAG_READ_TIMEOUT_MS - 1);
    expect(report).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(report).toEqual([{ name: 'hanging-view', kind: 'projection', unknown: true }]);
  });
});
