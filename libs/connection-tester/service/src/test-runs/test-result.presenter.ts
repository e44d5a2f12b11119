import type { ConnectionTested } from '@as2-partners/connection-tester-domain';
import { toApiTimestamp } from '@as2-partners/platform';

/** Seed 002's test response: `{success, message, data: {test_type, partner, results, timeline, duration_ms, tested_at}}`. */
export function presentTestResult(result: ConnectionTested['data']) {
  const success = result.outcome === 'success';
  return {
    success,
    message: success ? 'Partner connection test successful' : 'Partner connection test failed',
    data: presentTestData(result),
  };
}

export function presentTestData(result: ConnectionTested['data']) {
  return {
    id: result.testId,
    test_type: result.testType,
    trigger: result.trigger,
    success: result.outcome === 'success',
    partner: { id: result.partnerId, name: result.partnerName, as2_id: result.partnerAs2Id, url: result.url },
    results: result.results,
    timeline: result.timeline.map((step) => ({ step: step.step, status: step.status, duration_ms: step.durationMs, details: step.details })),
    duration_ms: result.durationMs,
    tested_at: toApiTimestamp(result.testedAt),
  };
}
