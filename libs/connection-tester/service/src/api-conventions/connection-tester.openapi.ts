import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { TEST_TYPES } from '@as2-partners/connection-tester-domain';
import { apiTimestampSchema, dataOf, pageOf } from '@as2-partners/platform';

/** Response bodies of the connection tester (seed 002's test result), referenced by the controllers' @ApiResponse decorators. */

const str = (): SchemaObject => ({ type: 'string' });
const object = (properties: Record<string, SchemaObject>): SchemaObject => ({ type: 'object', required: Object.keys(properties), properties });

const TEST_DATA = object({
  id: str(),
  test_type: { type: 'string', enum: [...TEST_TYPES] },
  trigger: { type: 'string', enum: ['manual', 'monitoring'] },
  success: { type: 'boolean' },
  partner: object({ id: str(), name: str(), as2_id: str(), url: str() }),
  results: { type: 'object', additionalProperties: { anyOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }] } },
  timeline: {
    type: 'array',
    items: object({ step: str(), status: { type: 'string', enum: ['success', 'warning', 'failure'] }, duration_ms: { type: 'number', minimum: 0 }, details: str() }),
  },
  duration_ms: { type: 'number', minimum: 0 },
  tested_at: apiTimestampSchema(),
});

export const TEST_RESULT: SchemaObject = object({ success: { type: 'boolean' }, message: str(), data: TEST_DATA });
export const TEST_HISTORY_PAGE = pageOf(TEST_DATA);
export const MONITORING_WRITTEN = dataOf(
  object({ partner_id: str(), enabled: { type: 'boolean' }, test_type: { type: 'string', enum: [...TEST_TYPES, null], nullable: true }, interval_minutes: { type: 'integer', minimum: 15, nullable: true } }),
  true,
);
export const MDN_RECEIVED = object({ received: { type: 'boolean', enum: [true] } });
