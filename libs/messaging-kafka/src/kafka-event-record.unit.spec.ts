import type { RecordedEvent } from '@as2-partners/kernel';
import { MalformedEventRecordError, foreignRecordOf, kafkaMessageOf, recordedEventOf } from './kafka-event-record';

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
    ['data null (no handler could read it: parked at its first attempt, not retried)', JSON.stringify({ ...event, data: null }), 'data'],
  ])('refuses a record with %s', (_what, value, message) => {
    expect(() => recordedEventOf(value)).toThrow(MalformedEventRecordError);
    expect(() => recordedEventOf(value)).toThrow(message);
  });
});

describe('foreignRecordOf (topics other systems write)', () => {
  const at = { topic: 'as2.gateway.messages', partition: 2, offset: '41', timestamp: String(Date.parse('2026-11-30T10:00:00.000Z')) };

  it('wraps a plain JSON object as an event of the given type, its id from the record coordinates', () => {
    const value = JSON.stringify({ message_id: 'm1', account: 'acc', tenant: 'ten', status: 'delivered' });
    expect(foreignRecordOf(value, 'gateway.message_outcome', at)).toEqual({
      id: 'as2.gateway.messages:2:41',
      type: 'gateway.message_outcome',
      schemaVersion: 1,
      stream: 'as2.gateway.messages-2',
      revision: 41,
      position: 41,
      data: { message_id: 'm1', account: 'acc', tenant: 'ten', status: 'delivered' },
      metadata: {
        account: 'acc',
        tenant: 'ten',
        correlationId: 'as2.gateway.messages:2:41',
        causationId: null,
        actor: { type: 'service', id: 'as2.gateway.messages' },
        occurredAt: '2026-11-30T10:00:00.000Z',
      },
    });
  });

  it('reads an envelope as the envelope it is', () => {
    expect(foreignRecordOf(kafkaMessageOf(event, 'as2.partner-registry.events').value, 'gateway.message_outcome', at)).toEqual(event);
  });

  it('still refuses what is no JSON object (parked by the bus)', () => {
    for (const value of [null, 'not json', '[1,2]', '"text"']) {
      expect(() => foreignRecordOf(value, 'gateway.message_outcome', at)).toThrow(MalformedEventRecordError);
    }
  });

  it('takes no account or tenant that is not a string', () => {
    const wrapped = foreignRecordOf(JSON.stringify({ account: { $ne: null }, tenant: 7 }), 'x', at);
    expect(wrapped.metadata).toMatchObject({ account: '', tenant: null });
  });
});
