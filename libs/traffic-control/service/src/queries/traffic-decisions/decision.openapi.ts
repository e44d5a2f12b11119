import { Injectable } from '@nestjs/common';
import { OpenApiOperations, openApiSchemaOf, type OpenApiOperation } from '@as2-partners/platform';
import { BATCH_DECISION_PATH, DECISION_PATH } from './decision.route';
import { batchDecisionSchema, singleDecisionSchema } from './decision.schemas';

/** The component name of each JSON Schema the decision routes validate and serialise with (the same objects). */
const NAMES = new Map<object, string>([
  [singleDecisionSchema.body, 'TrafficDecisionRequest'],
  [singleDecisionSchema.response[200], 'TrafficDecision'],
  [singleDecisionSchema.response[200].properties.as_of, 'TrafficDecisionAsOf'],
  [batchDecisionSchema.body, 'TrafficDecisionBatchRequest'],
  [batchDecisionSchema.response[200], 'TrafficDecisionBatch'],
]);

const ref = (schema: object) => ({ $ref: `#/components/schemas/${NAMES.get(schema)}` });

const SECURITY_NOTE =
  'Bearer JWT with role `gateway` (one account, or `account: "*"` for every account); any other token is 403 (`TENANT_DELETED` first for a token of a deleted tenant, whatever its roles). A `tenant` claim scopes the decision to that tenant: ' +
  "its own instances and partners and the account's master ones as it inherits them (with its own pauses and the account's); another tenant's pair answers as an unknown pair (`reject` `PARTNER_NOT_FOUND`). " +
  'Without a `tenant` claim the decision is account-wide.';

/** The decision routes' operations, built from the route schemas, so the document says what the routes check. */
export function decisionOperations(): OpenApiOperation[] {
  const schemas = Object.fromEntries([...NAMES].map(([schema, name]) => [name, openApiSchemaOf(schema as Record<string, unknown>, NAMES)]));
  const errors = ['400', '401', '403', '413', '415', '422'] as const;
  return [
    {
      path: DECISION_PATH,
      method: 'post',
      errors,
      schemas,
      operation: {
        operationId: 'decideTraffic',
        tags: ['traffic decisions'],
        summary: 'Decide one AS2 message (the gateway\'s hot path)',
        description: `Whether the gateway accepts, holds, defers or refuses a message between an AS2 pair, from the service's in-memory state (docs/traffic-control.md). ${SECURITY_NOTE}`,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref(singleDecisionSchema.body),
              example: { direction: 'inbound', as2_from: 'ACME-CORP-AS2', as2_to: 'MYCOMPANY', message_id: '<abc@acme>' },
            },
          },
        },
        responses: {
          '200': {
            description: 'The decision, with the event positions it was decided on (`as_of`)',
            content: {
              'application/json': {
                schema: ref(singleDecisionSchema.response[200]),
                example: {
                  decision: 'accept',
                  reason_code: 'NOT_PAUSED',
                  reason: 'NOT_PAUSED',
                  message_id: '<abc@acme>',
                  partner_id: 'prt_01HQ3K4N5M6P7Q8R9S0T1U2V3W',
                  as2_instance_id: 'as2_01HQ3K4N5M6P7Q8R9S0T1U2V3W',
                  as_of: { partner_registry: 42, traffic_control: 17 },
                },
              },
            },
          },
        },
      },
    },
    {
      // Fastify's `::` is the literal colon of the path.
      path: BATCH_DECISION_PATH.replace('::', ':'),
      method: 'post',
      errors,
      schemas,
      operation: {
        operationId: 'decideTrafficBatch',
        tags: ['traffic decisions'],
        summary: 'Decide up to 1,000 AS2 messages at once',
        description: `Each item decided as by POST /v1/traffic/decisions, in order, at one instant. ${SECURITY_NOTE}`,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref(batchDecisionSchema.body),
              example: { decisions: [{ direction: 'outbound', as2_from: 'MYCOMPANY', as2_to: 'ACME-CORP-AS2', message_id: '<out-1@mycompany>' }] },
            },
          },
        },
        responses: {
          '200': {
            description: 'One decision per item, in the order given',
            content: { 'application/json': { schema: ref(batchDecisionSchema.response[200]) } },
          },
        },
      },
    },
  ];
}

/** Adds the decision routes (plain Fastify routes beside Nest) to the service's OpenAPI document. */
@Injectable()
export class DecisionRoutesDocumentation {
  constructor(operations: OpenApiOperations) {
    operations.add(...decisionOperations());
  }
}
