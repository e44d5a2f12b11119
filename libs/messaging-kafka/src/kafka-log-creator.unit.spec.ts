import { logLevel } from 'kafkajs';
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
      ['warn', 'kafkajs: Request timed out', { namespace: 'Connection', correlationId: 7 }],
    ]);
  });
});
