/** Directions an operator pauses (the partner's view: what it sends us, what we send it). */
export const TRAFFIC_DIRECTIONS = ['incoming', 'outgoing'] as const;
export type TrafficDirection = (typeof TRAFFIC_DIRECTIONS)[number];

/**
 * How a paused incoming message is answered. Seed 000's three (success MDN, error MDN, HTTP 422), plus a 503 with
 * Retry-After: senders bounce a 4xx for good but retry a 503, so the backlog arrives after the resume.
 */
export const INCOMING_RESPONSES = ['success_mdn', 'error_mdn', 'http_422', 'http_503_retry'] as const;
export type IncomingResponse = (typeof INCOMING_RESPONSES)[number];

export const WINDOW_DIRECTIONS = ['incoming', 'outgoing', 'both'] as const;
export type WindowDirection = (typeof WINDOW_DIRECTIONS)[number];

/** Whose pause: a tenant's (its own partner or an inherited one), or the account's on a master partner. */
export type TrafficScope = 'tenant' | 'account';

export function directionsOf(direction: WindowDirection): TrafficDirection[] {
  return direction === 'both' ? ['incoming', 'outgoing'] : [direction];
}

/** A 503's Retry-After when the operator gave none and no end is known. */
export const DEFAULT_RETRY_AFTER_SECONDS = 300;
/** Retry-After beyond a day tells a sender to give up rather than retry: an explicit value is refused above it, one counted to `until` is capped at it. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;
