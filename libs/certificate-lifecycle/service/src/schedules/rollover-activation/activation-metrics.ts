import type { PlatformMetrics } from '@as2-partners/platform';
import type { ActivationObserver } from './activation-scheduler';

const JOB = 'certificate-activation';

/** The scheduler's due and late activations as Prometheus metrics; late = made more than one tick after its instant. */
export function activationMetrics(metrics: PlatformMetrics, intervalMs: number): ActivationObserver {
  return {
    due: (count) => metrics.schedulerDue.set({ job: JOB }, count),
    activated: (lateByMs) => {
      metrics.schedulerActivations.inc({ job: JOB, timeliness: lateByMs > intervalMs ? 'late' : 'on_time' });
      metrics.schedulerLateness.observe({ job: JOB }, lateByMs / 1000);
    },
  };
}
