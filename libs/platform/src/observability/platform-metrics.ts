import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConsumerPartitionLag } from '@as2-partners/kernel';
import type { PipelineEntry } from '../health/pipeline-monitor';
import type { HotPathCount } from '../http/hot-path-routes';
import { LatencyHistogram } from './latency-histogram';

/** What the follower gauges are read from at scrape time. */
export interface MetricSources {
  readonly pipeline: () => Promise<PipelineEntry[]>;
  readonly consumerLag: () => Promise<ConsumerPartitionLag[]>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus metrics, one registry per application (tests run several in one process). HTTP, event-store
 * and service metrics are observed as they happen; follower and consumer lags are read when /metrics is scraped.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  /** Observed through `timeAnswer` (a hot path's answer costs a few array writes). */
  readonly httpDuration: LatencyHistogram;
  readonly eventStoreAppend: Histogram<'outcome'>;
  /** Activations a scheduler found due on a tick (`job`: e.g. `certificate-activation`). */
  readonly schedulerDue: Gauge<'job'>;
  /** Activations a scheduler made, `late` when made more than one tick after their instant. */
  readonly schedulerActivations: Counter<'job' | 'timeliness'>;
  readonly schedulerLateness: Histogram<'job'>;
  readonly tsaDuration: Histogram<'outcome'>;
  /** How long a service takes to answer a decision it is asked for (traffic-control's "may this message go?"). */
  readonly decisionDuration: LatencyHistogram;
  private sources: MetricSources | null = null;
  private readonly countedElsewhere: Array<() => HotPathCount[]> = [];
  /** Route template → its kind of decision (`as2_decision_duration_seconds`'s `decision` label). */
  private readonly decisionRoutes = new Map<string, string>();
  /** route → method → status → the latency histograms' bound children (no label object hashed per request). */
  private readonly timers = new Map<string, Map<string, Map<number, (seconds: number) => void>>>();

  /**
   * `processMetrics` false: none of prom-client's process metrics (heap, GC, event-loop delay, …), whose collectors
   * (a GC observer, an event-loop-delay monitor) nothing stops again: for an app that lives a moment (the warm-up's
   * throwaway app) beside the process's real one.
   */
  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'as2_' });
    const registers = [this.registry];
    const counted = this.countedElsewhere;
    this.httpRequests = new Counter({
      name: 'as2_http_requests_total',
      help: 'HTTP requests answered, by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      registers,
      // Hot-path routes count in plain numbers; their counts are added here when scraped.
      collect: function (this: Counter<'method' | 'route' | 'status_code'>) {
        for (const drain of counted) for (const c of drain()) this.inc({ method: c.method, route: c.route, status_code: String(c.statusCode) }, c.count);
      },
    });
    this.httpDuration = new LatencyHistogram('as2_http_request_duration_seconds', 'Time to answer an HTTP request, by route template and status', LATENCY_BUCKETS, registers);
    this.eventStoreAppend = new Histogram({ name: 'as2_event_store_append_duration_seconds', help: 'Event-store append latency (outcome ok, conflict or error)', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers });
    this.schedulerDue = new Gauge({ name: 'as2_scheduler_due_activations', help: 'Activations found due on the last scheduler tick', labelNames: ['job'], registers });
    this.schedulerActivations = new Counter({ name: 'as2_scheduler_activations_total', help: 'Activations made by a scheduler, on time or late', labelNames: ['job', 'timeliness'], registers });
    this.schedulerLateness = new Histogram({ name: 'as2_scheduler_activation_lateness_seconds', help: 'How long after its instant an activation was made', labelNames: ['job'], buckets: [0, 1, 5, 15, 60, 300, 900, 3600, 86_400], registers });
    this.decisionDuration = new LatencyHistogram(
      'as2_decision_duration_seconds',
      'Time to answer a decision request (e.g. traffic-control), by decision route (single or batch) and outcome (answered, refused, failed)',
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    );
    this.tsaDuration = new Histogram({ name: 'as2_tsa_request_duration_seconds', help: 'RFC 3161 timestamp request latency (outcome ok or error)', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers });

    const followerLabels = ['follower', 'kind'] as const;
    const pipelineGauge = (name: string, help: string, value: (entry: Exclude<PipelineEntry, { unknown: true }>) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: followerLabels,
        registers,
        collect: async function (this: Gauge<'follower' | 'kind'>) {
          this.reset();
          for (const entry of await metrics.pipeline()) {
            if ('unknown' in entry) continue;
            const v = value(entry);
            if (v !== null) this.set({ follower: entry.name, kind: entry.kind }, v);
          }
        },
      });
    // One report per scrape, shared by the gauges below.
    const metrics = { pipeline: this.cachedPerScrape(() => this.sources?.pipeline() ?? Promise.resolve([])) };
    pipelineGauge('as2_follower_position', 'Last store position a follower handled (relays: acknowledged by the bus)', (e) => e.position);
    pipelineGauge('as2_follower_lag_events', 'Store events a follower has not handled yet (capped at 1000)', (e) => e.eventsBehind);
    pipelineGauge('as2_follower_lag_seconds', 'Age of the oldest event a follower has not handled yet', (e) => e.secondsBehind);
    pipelineGauge('as2_follower_parked_events', 'Events a follower parked and nobody replayed yet', (e) => e.parked);
    pipelineGauge('as2_follower_stalled_seconds', 'How long a follower has been held on one event', (e) => e.stalledSeconds);
    pipelineGauge('as2_follower_stalled', '1 when a follower is held past PIPELINE_STALL_SECONDS', (e) => (e.stalled ? 1 : 0));
    pipelineGauge('as2_follower_failing', '1 while a follower has a last error', (e) => (e.lastError === null ? 0 : 1));

    const sources = () => this.sources;
    new Gauge({
      name: 'as2_kafka_consumer_lag',
      help: 'Records a consumer group has not committed yet, per topic and partition',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect: async function (this: Gauge<'group' | 'topic' | 'partition'>) {
        this.reset();
        let lags: ConsumerPartitionLag[] = [];
        try {
          lags = (await sources()?.consumerLag()) ?? [];
        } catch {
          // The broker is down: the readiness check reports it; the gauge is left empty rather than failing the scrape.
        }
        for (const lag of lags) this.set({ group: lag.groupId, topic: lag.topic, partition: String(lag.partition) }, lag.lag);
      },
    });
  }

  /** Where follower and consumer lags are read from; set once the application's modules exist. */
  watch(sources: MetricSources): void {
    this.sources = sources;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Requests counted outside the app's hooks (the hot-path routes), added to `as2_http_requests_total` at each scrape. */
  countRequestsFrom(drain: () => HotPathCount[]): void {
    this.countedElsewhere.push(drain);
  }

  /** The answers of the route at this template are decisions of this kind (`single`, `batch`): timed in `as2_decision_duration_seconds` too. */
  timeDecisionsAt(route: string, decision: string): void {
    this.decisionRoutes.set(route, decision);
  }

  /** One answer's duration: `as2_http_request_duration_seconds`, and `as2_decision_duration_seconds` for a decision route. */
  readonly timeAnswer = (method: string, route: string, statusCode: number, seconds: number): void => {
    let methods = this.timers.get(route);
    if (!methods) this.timers.set(route, (methods = new Map()));
    let statuses = methods.get(method);
    if (!statuses) methods.set(method, (statuses = new Map()));
    let time = statuses.get(statusCode);
    if (!time) statuses.set(statusCode, (time = this.timerOf(method, route, statusCode)));
    time(seconds);
  };

  private timerOf(method: string, route: string, statusCode: number): (seconds: number) => void {
    const http = this.httpDuration.observerOf({ method, route, status_code: String(statusCode) });
    const decision = this.decisionRoutes.get(route);
    if (decision === undefined) return http;
    const outcome = statusCode < 400 ? 'answered' : statusCode < 500 ? 'refused' : 'failed';
    // Two statuses of one outcome share its series.
    const decided = this.decisionObserverOf(decision, outcome);
    return (seconds) => {
      http(seconds);
      decided(seconds);
    };
  }

  private readonly decisionObservers = new Map<string, (seconds: number) => void>();

  private decisionObserverOf(decision: string, outcome: string): (seconds: number) => void {
    const key = `${decision}\u0000${outcome}`;
    let observe = this.decisionObservers.get(key);
    if (!observe) this.decisionObservers.set(key, (observe = this.decisionDuration.observerOf({ decision, outcome })));
    return observe;
  }

  /** The same promise for calls within 100 ms: the follower gauges of one scrape share one report. */
  private cachedPerScrape<T>(load: () => Promise<T>): () => Promise<T> {
    let cached: { at: number; value: Promise<T> } | null = null;
    return () => {
      const now = Date.now();
      if (!cached || now - cached.at > 100) cached = { at: now, value: load().catch(() => [] as unknown as T) };
      return cached.value;
    };
  }
}
