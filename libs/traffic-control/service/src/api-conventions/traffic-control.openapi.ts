import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { INCOMING_RESPONSES, WINDOW_DIRECTIONS } from '@as2-partners/traffic-control-domain';
import { apiTimestampSchema, dataOf, nullableApiTimestampSchema, pageOf } from '@as2-partners/platform';

/** Response bodies of the traffic-control service, referenced by the controllers' @ApiResponse decorators. */

const str = (): SchemaObject => ({ type: 'string' });
const nullableString = (): SchemaObject => ({ type: 'string', nullable: true });
const object = (properties: Record<string, SchemaObject>, optional: readonly string[] = []): SchemaObject => ({
  type: 'object',
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  properties,
});
const incomingResponse = (): SchemaObject => ({ type: 'string', enum: [...INCOMING_RESPONSES, null], nullable: true });

const WINDOW = object({
  id: str(),
  level: { type: 'string', enum: ['tenant', 'account'], description: "Whose window: the tenant's own, or the account's on an inherited master partner" },
  direction: { type: 'string', enum: [...WINDOW_DIRECTIONS] },
  starts_at: apiTimestampSchema(),
  ends_at: apiTimestampSchema(),
  response: incomingResponse(),
  reason: str(),
  status: { type: 'string', enum: ['active', 'scheduled'] },
  scheduled_by: str(),
});

const PAUSE: SchemaObject = {
  ...object({
    response: incomingResponse(),
    reason: str(),
    since: apiTimestampSchema(),
    until: nullableApiTimestampSchema(),
    retry_after_seconds: { type: 'integer', nullable: true },
    paused_by: str(),
  }),
  nullable: true,
};

const DIRECTION = object(
  {
    paused: { type: 'boolean' },
    paused_by_level: { type: 'string', enum: ['account', 'tenant', 'account_window', 'window', null], nullable: true },
    response: incomingResponse(),
    reason: nullableString(),
    since: nullableApiTimestampSchema(),
    until: nullableApiTimestampSchema(),
    retry_after_seconds: { type: 'integer', nullable: true },
    paused_by: nullableString(),
    active_window: { ...WINDOW, nullable: true },
    pause: PAUSE,
    account_pause: PAUSE,
  },
  ['account_pause'],
);

const TRAFFIC_STATE_PROPERTIES: Record<string, SchemaObject> = {
  partner_id: str(),
  incoming: DIRECTION,
  outgoing: DIRECTION,
  windows: { type: 'array', items: WINDOW },
  next_change: {
    ...object({
      at: apiTimestampSchema(),
      direction: { type: 'string', enum: [...WINDOW_DIRECTIONS] },
      change: { type: 'string', enum: ['pause', 'resume'] },
      window_id: nullableString(),
      level: { type: 'string', enum: ['tenant', 'account'] },
    }),
    nullable: true,
  },
};
const TRAFFIC_STATE = object(TRAFFIC_STATE_PROPERTIES);

const TIMELINE_ENTRY = object({
  id: str(),
  type: str(),
  level: { type: 'string', enum: ['account', 'tenant'] },
  actor: object({ type: str(), id: str() }),
  occurred_at: apiTimestampSchema(),
  data: { type: 'object', additionalProperties: true },
});

export const TRAFFIC_STATE_READ = dataOf(TRAFFIC_STATE);
export const TRAFFIC_WINDOWS_READ = dataOf({ type: 'array', items: WINDOW });
export const TRAFFIC_WINDOW_SCHEDULED = dataOf(object({ ...(WINDOW.properties as Record<string, SchemaObject>), merged_window_ids: { type: 'array', items: str() } }), true);
export const TRAFFIC_WINDOW_CANCELLED = dataOf(TRAFFIC_STATE, true);
export const TRAFFIC_TIMELINE_PAGE = pageOf(TIMELINE_ENTRY);
export const TRAFFIC_PAUSED_PAGE = pageOf(object({ ...TRAFFIC_STATE_PROPERTIES, level: { type: 'string', enum: ['tenant', 'account'] } }));
