import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError, type ResolvedEvent } from '@eventstore/db-client';
import { WrongExpectedRevisionError } from '@as2-partners/kernel';
import { contractEvent } from '@as2-partners/kernel-testing';
import { fromEsdbEvent, isDomainEvent, positionNumberOf, toEsdbPosition, toEventData } from './esdb-event-mapping';
import { toAppendExpectedRevision, toWrongExpectedRevision } from './esdb-revisions';

type EsdbRecordedEvent = NonNullable<ResolvedEvent['event']>;

/** What the client hands back for a stored event, built from what we sent. */
function storedAs(sent: ReturnType<typeof toEventData>, overrides: Partial<EsdbRecordedEvent> = {}): EsdbRecordedEvent {
  return {
    streamId: 'partner-prt_1',
    id: sent.id,
    revision: 3n,
    type: sent.type,
    data: sent.data,
    metadata: JSON.parse(JSON.stringify(sent.metadata)),
    isJson: true,
    created: new Date(),
    position: { commit: 4242n, prepare: 4242n },
    ...overrides,
  } as EsdbRecordedEvent;
}

describe('ESDB event mapping', () => {
  it('puts the whole envelope and ESDB correlation keys in the metadata', () => {
    const event = contractEvent({ schemaVersion: 3 });
    const data = toEventData(event);
    expect(data).toMatchObject({ id: event.id, type: event.type, contentType: 'application/json', data: event.data });
    expect(data.metadata).toEqual({
      schemaVersion: 3,
      ...event.metadata,
      $correlationId: event.metadata.correlationId,
      $causationId: event.metadata.causationId,
    });
  });

  it('leaves $causationId out when the event has no cause', () => {
    const event = contractEvent();
    const data = toEventData({ ...event, metadata: { ...event.metadata, causationId: null } });
    expect(data.metadata).toMatchObject({ causationId: null });
    expect(data.metadata).not.toHaveProperty('$causationId');
  });

  it('reads back exactly the envelope that was written, with stream, revision and position', () => {
    const event = contractEvent({ data: { nested: [1, { a: null }] } });
    expect(fromEsdbEvent(storedAs(toEventData(event)))).toEqual({
      ...event,
      stream: 'partner-prt_1',
      revision: 3,
      position: 4242,
    });
  });

  it('keeps the trace context (traceparent, tracestate) through a write and a read', () => {
    const base = contractEvent();
    const event = { ...base, metadata: { ...base.metadata, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'v=1' } };
    expect(fromEsdbEvent(storedAs(toEventData(event))).metadata).toEqual(event.metadata);
  });

  it('refuses an event without our envelope', () => {
    const foreign = storedAs(toEventData(contractEvent()), { metadata: { $correlationId: randomUUID() } } as never);
    expect(() => fromEsdbEvent(foreign)).toThrow(/no as2-partners envelope/);
  });

  it('takes the commit position and refuses a missing one rather than inventing it', () => {
    expect(positionNumberOf({ id: 'e', position: { commit: 10n, prepare: 10n } })).toBe(10);
    expect(() => positionNumberOf({ id: 'e' })).toThrow(/no \$all position/);
    expect(() => positionNumberOf({ id: 'e', position: { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n } })).toThrow(
      /no \$all position/,
    );
    expect(toEsdbPosition(77)).toEqual({ commit: 77n, prepare: 77n });
  });

  it("treats ESDB's $-prefixed event types and streams as not ours", () => {
    expect(isDomainEvent({ streamId: 'partner-1', type: 'partner.created.v1' })).toBe(true);
    expect(isDomainEvent({ streamId: 'partner-1', type: '$metadata' })).toBe(false);
    expect(isDomainEvent({ streamId: '$stats-127.0.0.1:2113', type: 'statsCollected' })).toBe(false);
    expect(isDomainEvent({ streamId: 'as2p_checkpoint-x', type: '$as2p.checkpoint' })).toBe(false);
  });
});

describe('ESDB revisions', () => {
  it('maps expected revisions to ESDB', () => {
    expect(toAppendExpectedRevision(4)).toBe(4n);
    expect(toAppendExpectedRevision('no_stream')).toBe('no_stream');
    expect(toAppendExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(toAppendExpectedRevision('any')).toBe('any');
  });

  it.each<[bigint | 'no_stream', number | 'no_stream']>([
    [2n, 2],
    ['no_stream', 'no_stream'],
    [-1n, 'no_stream'],
  ])('turns WrongExpectedVersionError (actual %s) into ours (actual %s)', (current, actual) => {
    const esdb = new WrongExpectedVersionError(undefined, { streamName: 's-1', expected: 0n, current });
    const ours = toWrongExpectedRevision(esdb, 's-1', 0);
    expect(ours).toBeInstanceOf(WrongExpectedRevisionError);
    expect(ours).toMatchObject({ stream: 's-1', expected: 0, actual });
  });

  it('passes other errors through', () => {
    const other = new Error('unavailable');
    expect(toWrongExpectedRevision(other, 's-1', 'any')).toBe(other);
  });
});
