import type { PlatformMetrics } from '@as2-partners/platform';
import type { Timestamper } from './timestamper';

/** The timestamper as is, with the latency of every TSA request observed (outcome ok or error). */
export function timedTimestamper(inner: Timestamper, metrics: PlatformMetrics): Timestamper {
  return {
    stamp: async (document) => {
      const done = metrics.tsaDuration.startTimer();
      try {
        const evidence = await inner.stamp(document);
        done({ outcome: 'ok' });
        return evidence;
      } catch (error) {
        done({ outcome: 'error' });
        throw error;
      }
    },
    close: () => inner.close(),
  };
}
