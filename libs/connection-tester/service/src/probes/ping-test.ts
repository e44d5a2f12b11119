import { httpExchange, isHttpAnswer, openEndpoint, serverFacts, type EndpointTarget, type ProbeSettings } from './endpoint-probe';
import type { ProbeOutcome, ResultValue } from './probe-outcome';
import { ProbeTimeline, stepStart } from './probe-timeline';
import { withoutCredentialEcho } from './credential-echo';

/** How a GET answer reads as reachability: an AS2 endpoint usually answers 405 (POST only) or 200. */
function httpVerdict(status: number, statusText: string, location: string | undefined): { status: 'success' | 'warning' | 'failure'; details: string } {
  const line = `HTTP ${status}${statusText ? ' ' + statusText : ''}`;
  if (status >= 200 && status < 300) return { status: 'success', details: `${line}: the endpoint answers` };
  if (status === 405) return { status: 'success', details: `${line}: the endpoint answers (AS2 endpoints accept only POST)` };
  if (status >= 300 && status < 400) return { status: 'warning', details: `${line}: redirect${location ? ` to ${location}` : ''} not followed; AS2 senders do not follow redirects either` };
  if (status === 401 || status === 403) return { status: 'warning', details: `${line}: the endpoint answers but asks for authentication` };
  if (status >= 400 && status < 500) return { status: 'warning', details: `${line}: the endpoint answers, but check the URL path` };
  return { status: 'failure', details: `${line}: the partner's server reports an error` };
}

/** `ping`: DNS, TCP, TLS and its certificate, then a GET to the URL (no redirect followed). */
export async function runPingTest(target: EndpointTarget, settings: ProbeSettings): Promise<ProbeOutcome> {
  const timeline = new ProbeTimeline();
  const results: Record<string, ResultValue> = {};
  const open = await openEndpoint(target, settings, timeline);
  const https = target.url.protocol === 'https:';
  if ('stage' in open) {
    results['connectivity'] = open.stage === 'tls' || open.stage === 'certificate' ? 'success' : 'failed';
    if (https) results['ssl_validation'] = open.stage === 'tls' || open.stage === 'certificate' ? 'failed' : 'not_tested';
    results['error'] = open.error;
    return { results, timeline: timeline.steps };
  }
  results['connectivity'] = 'success';
  if (https) {
    results['ssl_validation'] = 'success';
    results['tls_version'] = open.tls?.protocol ?? null;
    results['tls_cipher'] = open.tls?.cipher ?? null;
  }
  const started = stepStart();
  const answer = await httpExchange(
    open,
    { method: 'GET', path: `${target.url.pathname}${target.url.search}`, headers: { 'User-Agent': 'as2-partners-connection-tester', ...(target.authorization ? { Authorization: target.authorization } : {}) } },
    settings.maxResponseBytes,
    target.timeoutMs,
  );
  if (!isHttpAnswer(answer)) {
    timeline.record('HTTP response', 'failure', started, answer.details);
    results['error'] = answer.details;
  } else {
    const verdict = httpVerdict(answer.status, withoutCredentialEcho(answer.statusText, target.authorization), answer.headers.location === undefined ? undefined : withoutCredentialEcho(answer.headers.location, target.authorization));
    timeline.record('HTTP response', verdict.status, started, verdict.details);
    results['http_status'] = answer.status;
    Object.assign(results, serverFacts(answer.headers, target.authorization));
    if (verdict.status === 'failure') results['error'] = verdict.details;
  }
  results['response_time_ms'] = timeline.elapsedMs();
  return { results, timeline: timeline.steps };
}
