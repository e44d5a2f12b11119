import { Histogram, Registry } from 'prom-client';
import { LatencyHistogram } from './latency-histogram';

describe('LatencyHistogram', () => {
  it("renders what prom-client's own histogram renders for the same observations, and resets to zero", async () => {
    const buckets = [0.005, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const light = new LatencyHistogram('as2_spec_seconds', 'Spec latency', buckets, [ours]);
    const reference = new Histogram({ name: 'as2_spec_seconds', help: 'Spec latency', labelNames: ['route', 'status_code'], buckets, registers: [theirs] });
    const samples: [Record<string, string>, number][] = [
      [{ route: '/a', status_code: '200' }, 0.001],
      [{ route: '/a', status_code: '200' }, 0.02],
      [{ route: '/a', status_code: '200' }, 5],
      [{ route: '/b', status_code: '422' }, 0.01],
    ];
    const observers = new Map<string, (seconds: number) => void>();
    for (const [labels, seconds] of samples) {
      const key = JSON.stringify(labels);
      if (!observers.has(key)) observers.set(key, light.observerOf(labels));
      observers.get(key)?.(seconds);
      reference.observe(labels, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    ours.resetMetrics();
    expect(await ours.metrics()).toContain('as2_spec_seconds_count{route="/a",status_code="200"} 0');
  });
});
