import { withLogContext } from '@as2-partners/kernel';
import type { Logger } from 'pino';
import { requestLogger } from './request-logger';
import { createRootLogger } from './root-logger';

function capturedRoot(level: 'info' | 'warn') {
  const lines: Record<string, unknown>[] = [];
  const root = createRootLogger({ level, service: 'request-logger-spec', destination: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)) } });
  const child = jest.spyOn(root, 'child');
  return { root, lines, child };
}

describe('requestLogger (Fastify childLoggerFactory)', () => {
  it('makes no pino child for a request that writes no line, nor for lines below its level (Fastify passes the route level)', () => {
    const { root, lines, child } = capturedRoot('warn');
    for (const options of [{}, { level: '' }, { level: 'warn' }]) {
      const log = requestLogger(root, { requestId: 'req-1' }, options);
      log.info({ statusCode: 201 }, 'request completed');
      log.debug('detail');
      expect(log.level).toBe('warn');
    }
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes a line at an enabled level through one child that binds the request id, with the log context and redaction', () => {
    const { root, lines, child } = capturedRoot('info');
    const log = requestLogger(root, { requestId: 'req-2' }, { level: '' });
    withLogContext({ requestId: 'req-2', tenant: 't-1' }, () => {
      log.warn({ password: 'hunter2' }, 'first');
      log.info('second');
    });
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'first', requestId: 'req-2', tenant: 't-1', password: '[redacted]', service: 'request-logger-spec' }),
      expect.objectContaining({ level: 'info', msg: 'second', requestId: 'req-2' }),
    ]);
  });

  it("answers its bindings and levels before a child is made, and a level set on it is its own, not the parent's", () => {
    const { root, lines, child } = capturedRoot('info');
    const log = requestLogger(root, { requestId: 'req-3' }, {}) as unknown as Logger;
    expect(log.bindings()).toEqual({ service: 'request-logger-spec', requestId: 'req-3' });
    expect(log.isLevelEnabled('info')).toBe(true);
    expect(log.isLevelEnabled('debug')).toBe(false);
    expect(child).not.toHaveBeenCalled();
    log.level = 'debug';
    log.debug('verbose');
    expect(root.level).toBe('info');
    expect(lines).toEqual([expect.objectContaining({ level: 'debug', msg: 'verbose', requestId: 'req-3' })]);
    log.child({ step: 'x' }).info('from a child');
    expect(lines[1]).toEqual(expect.objectContaining({ msg: 'from a child', requestId: 'req-3', step: 'x' }));
  });

  it("a route's own log level is the request logger's: a lower one writes what the root would not, a higher one less, silent nothing", () => {
    const { root, lines, child } = capturedRoot('warn');
    const verbose = requestLogger(root, { requestId: 'req-4' }, { level: 'debug' });
    const quiet = requestLogger(root, { requestId: 'req-5' }, { level: 'error' });
    const silent = requestLogger(root, { requestId: 'req-6' }, { level: 'silent' });
    quiet.warn('not at error');
    silent.fatal('nothing');
    expect(child).not.toHaveBeenCalled();
    verbose.debug('route detail');
    quiet.error('at error');
    expect(child).toHaveBeenCalledWith({ requestId: 'req-4' }, { level: 'debug' });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'debug', msg: 'route detail', requestId: 'req-4' }),
      expect.objectContaining({ level: 'error', msg: 'at error', requestId: 'req-5' }),
    ]);
  });
});
