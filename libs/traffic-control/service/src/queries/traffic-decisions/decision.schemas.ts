/** JSON Schemas of the decision routes: Fastify validates requests with them and compiles the serializer from them. */

import { MAX_FIELDS_PER_OBJECT } from '@as2-partners/platform';

export const MAX_BATCH_DECISIONS = 1000;

/**
 * The batch route's body limit, whatever BODY_LIMIT_BYTES says: its largest legal body, 1,000 decisions with every field
 * at its longest (ASCII, as AS2 ids and RFC 5322 message ids are), is ~1.4 MB, past the 1 MiB default.
 */
export const BATCH_DECISIONS_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

// maxProperties is checked before the other keywords: an object with more fields than any body has is refused on that
// alone, with the words of the app's validation pipe (the same rule as every other route's).
const decisionRequest = {
  type: 'object',
  maxProperties: MAX_FIELDS_PER_OBJECT,
  additionalProperties: false,
  required: ['direction', 'as2_from', 'as2_to', 'message_id'],
  properties: {
    direction: { type: 'string', enum: ['inbound', 'outbound'] },
    as2_from: { type: 'string', minLength: 1, maxLength: 128 },
    as2_to: { type: 'string', minLength: 1, maxLength: 128 },
    message_id: { type: 'string', minLength: 1, maxLength: 998 },
    channel: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

const asOf = {
  type: 'object',
  properties: { partner_registry: { type: ['integer', 'null'] }, traffic_control: { type: ['integer', 'null'] } },
} as const;

const decisionAnswer = {
  type: 'object',
  properties: {
    decision: { type: 'string' },
    reason_code: { type: 'string' },
    reason: { type: 'string' },
    message_id: { type: 'string' },
    partner_id: { type: ['string', 'null'] },
    as2_instance_id: { type: ['string', 'null'] },
    hold: { type: 'boolean' },
    retry_after_seconds: { type: 'integer' },
    mdn: { type: 'object', properties: { disposition: { type: 'string' }, text: { type: 'string' } } },
    as_of: asOf,
  },
} as const;

export const singleDecisionSchema = {
  body: decisionRequest,
  response: { 200: decisionAnswer },
} as const;

export const batchDecisionSchema = {
  body: {
    type: 'object',
    maxProperties: MAX_FIELDS_PER_OBJECT,
    additionalProperties: false,
    required: ['decisions'],
    properties: { decisions: { type: 'array', minItems: 1, maxItems: MAX_BATCH_DECISIONS, items: decisionRequest } },
  },
  response: { 200: { type: 'object', properties: { decisions: { type: 'array', items: decisionAnswer }, as_of: asOf } } },
} as const;

export interface DecisionRequest {
  readonly direction: 'inbound' | 'outbound';
  readonly as2_from: string;
  readonly as2_to: string;
  readonly message_id: string;
  readonly channel?: string;
}
