import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootLogger, logDestination, UNWRITTEN_LOG_LIMIT_BYTES } from './root-logger';

describe('the log output', () => {
  it('writes every line at once to a writable output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-log-'));
    const fd = openSync(join(dir, 'out.log'), 'w');
    try {
      const logger = createRootLogger({ level: 'info', service: 'test', destination: logDestination(fd) });
      logger.warn('first');
      logger.error({ code: 'X' }, 'second');
      const lines = readFileSync(join(dir, 'out.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((line) => [line.level, line.msg])).toEqual([['warn', 'first'], ['error', 'second']]);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a full disk (every write ENOSPC) throws into no caller, and holds at most its limit of unwritten lines', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const output = logDestination(fd) as ReturnType<typeof logDestination> & { on(event: 'drop', listener: () => void): void };
      let dropped = 0;
      output.on('drop', () => dropped++);
      const logger = createRootLogger({ level: 'info', service: 'test', destination: output });
      const line = 'x'.repeat(1000);
      expect(() => {
        for (let i = 0; i < 5_000; i++) logger.error({ i }, line);
      }).not.toThrow();
      // 5 MB of lines were logged: what waits for the disk stays within the limit, the rest is dropped
      expect(dropped).toBeGreaterThanOrEqual(5_000 - Math.ceil(UNWRITTEN_LOG_LIMIT_BYTES / line.length));
    } finally {
      closeSync(fd);
    }
  });
});
