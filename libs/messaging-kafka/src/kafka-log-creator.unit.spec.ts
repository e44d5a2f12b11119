import { logLevel } from 'kafkajs';
import { currentLogContext, withLogContext } from '@as2-partners/kernel';
import { kafkaLogCreator } from './kafka-log-creator';

describe('kafkaLogCreator', () => {
  it("hands kafkajs warnings and errors to the service's logger with their fields, and drops the rest", () => {
    const lines: [string, string, Record<string, unknown> | undefined][] = [];
    const log = kafkaLogCreator({ warn: (m, c) => void lines.push(['warn', m, c]), error: (m, c) => void lines.push(['error', m, c]) })(logLevel.INFO);
    const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) =>
      log({ namespace: 'Connection', level, label: 'X', log: { timestamp: '2026-11-30T00:00:00.000Z', logger: 'kafkajs', message, ...extra } });
    entry(logLevel.ERROR, 'Connection error', { broker: '127.0.0.1:9092', error: 'ECONNREFUSED' });
    entry(logLevel.WARN, 'Request timed out', { correlationId: 7 });
    entry(logLevel.INFO, 'Consumer has joined the group');
    expect(lines).toEqual([
      ['error', 'kafkajs: Connection error', { namespace: 'Connection', broker: '127.0.0.1:9092', error: 'ECONNREFUSED' }],
      ['warn', 'kafkajs: Request timed out', { namespace: 'Connection', kafkaCorrelationId: 7 }],
    ]);
  });

  it("writes its lines outside any request's log context (its connections began inside some request), and its protocol correlation id apart from the log's", () => {
    const contexts: unknown[] = [];
    const log = kafkaLogCreator({ warn: () => void contexts.push(currentLogContext()), error: () => void contexts.push(currentLogContext()) })(logLevel.INFO);
    withLogContext({ requestId: 'req-1', correlationId: 'cor-1' }, () => {
      log({ namespace: 'Connection', level: logLevel.ERROR, label: 'X', log: { timestamp: '2026-11-30T00:00:00.000Z', logger: 'kafkajs', message: 'Connection error', error: 'ECONNREFUSED' } });
      expect(currentLogContext()).toEqual({ requestId: 'req-1', correlationId: 'cor-1' });
    });
    expect(contexts).toEqual([undefined]);
  });

  it('logs a broker error kafkajs retries by itself as a warning, and any other error as an error', () => {
    const lines: [string, string][] = [];
    const log = kafkaLogCreator({ warn: (m) => void lines.push(['warn', m]), error: (m) => void lines.push(['error', m]) })(logLevel.INFO);
    const entry = (error: string) =>
      log({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message: 'Response Metadata(key: 3, version: 6)', error } });
    entry('This server is not the leader for that topic-partition');
    entry('The group coordinator is not available');
    entry('Not authorized to access topics: [Topic authorization failed]');
    log({ namespace: 'Producer', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message: 'Failed to send messages: This server is not the leader for that topic-partition' } });
    log({ namespace: 'Producer', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message: 'Failed to send messages: Topic authorization failed' } });
    expect(lines.map(([level]) => level)).toEqual(['warn', 'warn', 'error', 'warn', 'error']);
  });

  it("leaves a consumer's crash and restart to the bus's crash listener (warnings here), and drops the topic-creation answer the bus judges", () => {
    const lines: [string, string][] = [];
    const log = kafkaLogCreator({ warn: (m) => void lines.push(['warn', m]), error: (m) => void lines.push(['error', m]) })(logLevel.INFO);
    const consumer = (message: string) => log({ namespace: 'Consumer', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message, groupId: 'g' } });
    consumer('Crash: KafkaJSNumberOfRetriesExceeded: This server does not host this topic-partition');
    consumer('Restarting the consumer in 300ms');
    consumer('Caught error when stopping the consumer: boom');
    log({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message: 'Response CreateTopics(key: 19, version: 3)', error: 'Topic creation errors' } });
    expect(lines).toEqual([
      ['warn', 'kafkajs: Crash: KafkaJSNumberOfRetriesExceeded: This server does not host this topic-partition'],
      ['warn', 'kafkajs: Restarting the consumer in 300ms'],
      ['error', 'kafkajs: Caught error when stopping the consumer: boom'],
    ]);
  });
});
