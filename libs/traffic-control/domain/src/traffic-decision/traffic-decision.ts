import type { DirectionPause, TrafficWindow } from '../partner-traffic/partner-traffic.state';
import { windowCovering } from '../partner-traffic/traffic-windows';
import { DEFAULT_RETRY_AFTER_SECONDS, MAX_RETRY_AFTER_SECONDS, type IncomingResponse, type TrafficDirection } from '../partner-traffic/traffic-modes';

/** The gateway's message direction (ours), not the partner's: inbound messages come from the partner. */
export type MessageDirection = 'inbound' | 'outbound';

export type TrafficDecisionKind = 'accept' | 'success_mdn' | 'error_mdn' | 'reject_422' | 'defer_503' | 'block' | 'reject';

export type DecisionReasonCode =
  | 'NOT_PAUSED'
  | 'PARTNER_NOT_FOUND'
  | 'AS2_INSTANCE_OFF'
  | 'PARTNER_INACTIVE'
  | 'PARTNERSHIP_NOT_FOUND'
  | 'ACCOUNT_PAUSE'
  | 'TENANT_PAUSE'
  | 'ACCOUNT_WINDOW'
  | 'TENANT_WINDOW';

/** What the gateway sends back in an MDN, so it never invents a disposition. */
export interface MdnInstruction {
  readonly disposition: string;
  readonly text: string;
}

export interface TrafficDecision {
  readonly decision: TrafficDecisionKind;
  readonly reasonCode: DecisionReasonCode;
  readonly reason: string;
  readonly hold?: boolean;
  readonly retryAfterSeconds?: number;
  readonly mdn?: MdnInstruction;
}

/** The pauses and windows of one scope (tenant or account) that bear on a partner. */
export interface ScopeTraffic {
  readonly pauses: Readonly<Record<TrafficDirection, DirectionPause | null>>;
  readonly windows: readonly TrafficWindow[];
}

/** Everything the precedence reads, already resolved from the AS2 ids; null where nothing was found. */
export interface DecisionFacts {
  readonly instance: { readonly status: 'on' | 'off'; readonly myAs2Id: string } | null;
  readonly partner: { readonly name: string; readonly active: boolean; readonly deleted: boolean } | null;
  /** Why nothing was found, with a "did you mean" when an id differs only by case, spaces or quotes. */
  readonly notFound: string | null;
  /** The tenant made partnerships for the instance, none with this partner. */
  readonly partnershipMissing?: boolean;
  readonly accountTraffic: ScopeTraffic | null;
  readonly tenantTraffic: ScopeTraffic | null;
}

const SUCCESS_DISPOSITION = 'automatic-action/MDN-sent-automatically; processed';
/** RFC 4130 7.4.3: the one error disposition that points the partner's support at no wrong cause (not a decryption or signature failure). */
const ERROR_DISPOSITION = 'automatic-action/MDN-sent-automatically; processed/error: unexpected-processing-error';

const directionOf = (message: MessageDirection): TrafficDirection => (message === 'inbound' ? 'incoming' : 'outgoing');

function pauseInEffect(pause: DirectionPause | null, now: number): DirectionPause | null {
  return pause && (pause.until === null || Date.parse(pause.until) > now) ? pause : null;
}

function retryAfter(explicit: number | null, until: string | null, now: number): number {
  if (explicit !== null) return explicit;
  if (until !== null) return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil((Date.parse(until) - now) / 1000)));
  return DEFAULT_RETRY_AFTER_SECONDS;
}

function pausedAnswer(
  message: MessageDirection,
  code: DecisionReasonCode,
  paused: { response: IncomingResponse | null; reason: string; until: string | null; retryAfterSeconds: number | null },
  now: number,
): TrafficDecision {
  const reason = `${code}: ${paused.reason}`;
  if (message === 'outbound') return { decision: 'block', reasonCode: code, reason };
  switch (paused.response) {
    case 'success_mdn':
      // A success MDN signs for the data: the gateway holds the message and releases it on traffic.resumed.
      return { decision: 'success_mdn', reasonCode: code, reason, hold: true, mdn: { disposition: SUCCESS_DISPOSITION, text: 'The message was received.' } };
    case 'error_mdn':
      return {
        decision: 'error_mdn',
        reasonCode: code,
        reason,
        mdn: { disposition: ERROR_DISPOSITION, text: 'Traffic from your AS2 id is temporarily paused by the receiver; please send the message again later.' },
      };
    case 'http_422':
      return { decision: 'reject_422', reasonCode: code, reason };
    case 'http_503_retry':
    case null:
      return { decision: 'defer_503', reasonCode: code, reason, retryAfterSeconds: retryAfter(paused.retryAfterSeconds, paused.until, now) };
  }
}

const ACCEPTED: TrafficDecision = Object.freeze({ decision: 'accept', reasonCode: 'NOT_PAUSED', reason: 'NOT_PAUSED' });

/**
 * The one place the precedence lives: instance off, then partner deleted or inactive, then an account-level pause,
 * then a tenant pause, then a window (the account's before the tenant's); otherwise accept. A pair without the
 * partnership its tenant requires (see TrafficDirectory) is refused after the partner checks, before any pause.
 */
export function decideTraffic(message: MessageDirection, facts: DecisionFacts, now: number): TrafficDecision {
  if (!facts.instance || !facts.partner) {
    return { decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', reason: `PARTNER_NOT_FOUND: ${facts.notFound ?? 'no partner is known for this pair of AS2 ids'}` };
  }
  if (facts.instance.status === 'off') {
    return { decision: 'reject', reasonCode: 'AS2_INSTANCE_OFF', reason: `AS2_INSTANCE_OFF: the AS2 instance ${facts.instance.myAs2Id} is off and neither sends nor receives` };
  }
  if (facts.partner.deleted) return { decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', reason: 'PARTNER_NOT_FOUND: the partner was deleted' };
  if (!facts.partner.active) return { decision: 'reject', reasonCode: 'PARTNER_INACTIVE', reason: `PARTNER_INACTIVE: the partner ${facts.partner.name} is inactive` };
  if (facts.partnershipMissing) {
    return {
      decision: 'reject',
      reasonCode: 'PARTNERSHIP_NOT_FOUND',
      reason: `PARTNERSHIP_NOT_FOUND: the AS2 instance ${facts.instance.myAs2Id} has partnerships, none with the partner ${facts.partner.name}`,
    };
  }
  const direction = directionOf(message);
  const accountPause = pauseInEffect(facts.accountTraffic?.pauses[direction] ?? null, now);
  if (accountPause) return pausedAnswer(message, 'ACCOUNT_PAUSE', pauseUntilFree(accountPause, facts, direction), now);
  const tenantPause = pauseInEffect(facts.tenantTraffic?.pauses[direction] ?? null, now);
  if (tenantPause) return pausedAnswer(message, 'TENANT_PAUSE', pauseUntilFree(tenantPause, facts, direction), now);
  const accountWindow = windowIn(facts.accountTraffic, direction, now);
  if (accountWindow) return windowAnswer(message, 'ACCOUNT_WINDOW', accountWindow, freeAfter(facts, direction, accountWindow.endsAt), now);
  const tenantWindow = windowIn(facts.tenantTraffic, direction, now);
  if (tenantWindow) return windowAnswer(message, 'TENANT_WINDOW', tenantWindow, freeAfter(facts, direction, tenantWindow.endsAt), now);
  return ACCEPTED;
}

/** A pause that ends (`until`) tells the sender to come back once the direction is free, not at its own end. */
function pauseUntilFree(pause: DirectionPause, facts: DecisionFacts, direction: TrafficDirection): DirectionPause {
  return pause.until === null ? pause : { ...pause, until: freeAfter(facts, direction, pause.until) };
}

function windowIn(traffic: ScopeTraffic | null, direction: TrafficDirection, now: number): TrafficWindow | null {
  return traffic !== null && traffic.windows.length > 0 ? windowCovering(traffic.windows, direction, now) : null;
}

/** A window's 503 tells the sender to come back once the direction is free: `until`, the end of the windows' run. */
function windowAnswer(message: MessageDirection, code: DecisionReasonCode, window: TrafficWindow, until: string, now: number): TrafficDecision {
  return pausedAnswer(message, code, { response: window.response, reason: window.reason, until, retryAfterSeconds: null }, now);
}

/**
 * When the direction is free again after `from` (the end of what holds it now): later when a window (of either scope)
 * or a pause of the other level holds it at that instant, and so on. A sender told to retry at the first one's end
 * would come back while another still holds it. A pause with no end that holds it then leaves `from` as it is.
 */
function freeAfter(facts: DecisionFacts, direction: TrafficDirection, from: string): string {
  const windows = [...(facts.accountTraffic?.windows ?? []), ...(facts.tenantTraffic?.windows ?? [])];
  const pauses = [facts.accountTraffic?.pauses[direction] ?? null, facts.tenantTraffic?.pauses[direction] ?? null];
  let free = from;
  for (;;) {
    const at = Date.parse(free);
    const ends = [windowCovering(windows, direction, at)?.endsAt, ...pauses.map((pause) => (pauseInEffect(pause, at) ? pause?.until : undefined))];
    const later = ends.filter((end): end is string => typeof end === 'string' && Date.parse(end) > at).sort((a, b) => Date.parse(b) - Date.parse(a))[0];
    if (later === undefined) return free;
    free = later;
  }
}

/** The span of clock readings over which a decision stays the same: [from, until). */
export interface SteadySpan {
  readonly from: number;
  readonly until: number;
}

const ALWAYS: SteadySpan = Object.freeze({ from: -Infinity, until: Infinity });

/**
 * Over which span of `now` decideTraffic answers the same for these facts, or null where the answer moves with the
 * clock itself (a 503's retry-after counting down). Every time decideTraffic compares `now` with is an edge here (a
 * pause's `until`, a window's start and end, of both scopes and both directions): between two edges no comparison
 * flips. Kept beside decideTraffic so a new time rule there gets its edge here.
 */
export function steadySpan(decision: TrafficDecision, facts: DecisionFacts, now: number): SteadySpan | null {
  if (decision.decision === 'defer_503') return null;
  if (facts.accountTraffic === null && facts.tenantTraffic === null) return ALWAYS;
  const span = { from: -Infinity, until: Infinity };
  edgesOf(facts.accountTraffic, now, span);
  edgesOf(facts.tenantTraffic, now, span);
  return span;
}

function edgesOf(traffic: ScopeTraffic | null, now: number, span: { from: number; until: number }): void {
  if (traffic === null) return;
  edge(traffic.pauses.incoming?.until ?? null, now, span);
  edge(traffic.pauses.outgoing?.until ?? null, now, span);
  for (const window of traffic.windows) {
    edge(window.startsAt, now, span);
    edge(window.endsAt, now, span);
  }
}

/** An edge at or before now starts the span; one after it ends it (each comparison flips exactly at its edge). */
function edge(at: string | null, now: number, span: { from: number; until: number }): void {
  if (at === null) return;
  const t = Date.parse(at);
  // A time that does not parse compares false either side of every now: it never flips.
  if (Number.isNaN(t)) return;
  if (t <= now) span.from = Math.max(span.from, t);
  else span.until = Math.min(span.until, t);
}

