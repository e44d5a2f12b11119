import { decisionOperations } from './decision.openapi';
import { batchDecisionSchema, singleDecisionSchema } from './decision.schemas';

describe('the decision routes in the OpenAPI document', () => {
  const [single, batch] = decisionOperations();

  it('documents both routes, secured, with exactly the error statuses they answer', () => {
    expect([single!.method, single!.path, batch!.method, batch!.path]).toEqual(['post', '/v1/traffic/decisions', 'post', '/v1/traffic/decisions:batch']);
    for (const op of [single!, batch!]) {
      expect(op.errors).toEqual(['400', '401', '403', '413', '415', '422']);
      expect(Object.keys(op.operation.responses)).toEqual(['200']);
      expect(op.operation.description).toContain('A `tenant` claim scopes the decision to that tenant');
    }
  });

  it('takes its schemas from the routes\' own JSON Schemas (one definition): what the route refuses, the document refuses', () => {
    const schemas = single!.schemas!;
    expect(schemas['TrafficDecisionRequest']).toEqual(singleDecisionSchema.body);
    expect(schemas['TrafficDecisionBatchRequest']).toEqual({
      ...batchDecisionSchema.body,
      properties: { decisions: { ...batchDecisionSchema.body.properties.decisions, items: { $ref: '#/components/schemas/TrafficDecisionRequest' } } },
    });
    const answer = schemas['TrafficDecision'] as { properties: Record<string, unknown> };
    expect(Object.keys(answer.properties)).toEqual(Object.keys(singleDecisionSchema.response[200].properties));
    expect(answer.properties['partner_id']).toEqual({ type: 'string', nullable: true });
    expect(answer.properties['as_of']).toEqual({ $ref: '#/components/schemas/TrafficDecisionAsOf' });
    expect(schemas['TrafficDecisionAsOf']).toEqual({ type: 'object', properties: { partner_registry: { type: 'integer', nullable: true }, traffic_control: { type: 'integer', nullable: true } } });
    expect(single!.operation.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/TrafficDecisionRequest' } } } });
    expect(batch!.operation.responses['200']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/TrafficDecisionBatch' } } } });
  });
});
