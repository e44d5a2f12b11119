import { PerformanceObserver } from 'node:perf_hooks';
import { PlatformMetrics } from './platform-metrics';

describe('PlatformMetrics', () => {
  it("serves prom-client's process metrics beside the app's own by default", async () => {
    const text = await new PlatformMetrics().render();
    expect(text).toContain('as2_process_cpu_user_seconds_total');
    expect(text).toContain('as2_nodejs_eventloop_lag_seconds');
    expect(text).toContain('as2_http_requests_total');
  });

  it('without process metrics (the warm-up\'s throwaway app) serves only the app\'s own, and starts no GC observer', async () => {
    const observed = jest.spyOn(PerformanceObserver.prototype, 'observe');
    try {
      const text = await new PlatformMetrics({ processMetrics: false }).render();
      expect(text).not.toContain('as2_process_');
      expect(text).not.toContain('as2_nodejs_');
      expect(text).toContain('as2_http_requests_total');
      expect(observed).not.toHaveBeenCalled();
    } finally {
      observed.mockRestore();
    }
  });
});
