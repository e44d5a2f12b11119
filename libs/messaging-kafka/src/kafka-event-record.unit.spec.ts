import type { RecordedEvent } from '@as2-partners/kernel';
import { MalformedEventRecordError, kafkaMessageOf, recordedEventOf } from './kafka-event-record';

const event: RecordedEvent = {
  id: 'evt-1',
  type: 'partner.renamed.v2',
  schemaVersion: 2,
  stream: 'partner-prt_01ACME',
  revision: 3,
  position: 99,
  data: { name: 'ACME — Zürich ✓', tags: ['a'], nothing: null },
  metadata: {
    account: 'acct_1',
    tenant: null,
    correlationId: 'cor_1',
    causationId: null,
    actor: { type: 'service', id: 'partner-registry' },
    occurredAt: '2026-11-23T10:00:00.000Z',
  },
};

describe('kafkaMessageOf / recordedEventOf', () => {
  it('keys the record by aggregate id and round-trips the whole envelope', () => {
    const message = kafkaMessageOf(event, 'as2.partner-registry.events');
    expect(message.key).toBe('prt_01ACME');
    expect(Object.keys(JSON.parse(message.value))).toEqual(['id', 'type', 'schemaVersion', 'stream', 'revision', 'position', 'data', 'metadata']);
    expect(recordedEventOf(Buffer.from(message.value))).toEqual(event);
    expect(message.headers['ce_id']).toBe('evt-1');
  });

  it('carries a data schema header only when one is given', () => {
    expect(kafkaMessageOf(event, 'as2.partner-registry.events').headers).not.toHaveProperty('ce_dataschema');
    expect(kafkaMessageOf(event, 'as2.partner-registry.events', 'urn:schema').headers['ce_dataschema']).toBe('urn:schema');
  });

  it.each([
    ['no value', null, 'has no value'],
    ['not JSON', '{"id":', 'not JSON'],
    ['an array', '[1]', 'not a JSON object'],
    ['missing fields', JSON.stringify({ ...event, position: '99', metadata: { ...event.metadata, actor: null } }), 'position, metadata.actor'],
    ['no data', JSON.stringify({ ...event, data: undefined }), 'data'],
  ])('refuses a record with %s', (_what, value, message) => {
    expect(() => recordedEventOf(value)).toThrow(MalformedEventRecordError);
    expect(() => recordedEventOf(value)).toThrow(message);
  });
});
