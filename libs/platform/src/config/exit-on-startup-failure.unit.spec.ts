import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CannotStartError } from '@as2-partners/kernel';
import { startupFailureText } from './exit-on-startup-failure';
import { InvalidConfigurationError } from './platform-config';

describe('startupFailureText', () => {
  it('names the variable of a configuration mistake', () => {
    expect(startupFailureText(new InvalidConfigurationError('PORT', 'must be an integer 1-65535, got "x"'))).toBe('Invalid configuration: PORT must be an integer 1-65535, got "x"');
  });

  it('prints a refusal that tells its own reason (another process writes the event store) as that one line, without its stack', () => {
    const refusal = new CannotStartError('The event store /data/events.sqlite is in use by another process.');
    expect(startupFailureText(refusal)).toBe('Cannot start: The event store /data/events.sqlite is in use by another process.');
    expect(startupFailureText(new Error('boom'))).toContain('\n    at ');
  });

  it('says in one line that DATA_DIR cannot be written when SQLite refuses to write its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-failure-'));
    try {
      new Database(join(dir, 'events.sqlite')).close();
      const readOnly = new Database(join(dir, 'events.sqlite'), { readonly: true });
      let refused: unknown;
      try {
        readOnly.exec('CREATE TABLE t (x)');
      } catch (error) {
        refused = error;
      } finally {
        readOnly.close();
      }
      const text = startupFailureText(refused, { DATA_DIR: dir });
      expect(text).toMatch(/^Cannot start: the data directory or a file in it cannot be written \(SQLITE_READONLY: .*\); check that DATA_DIR \(.*startup-failure-.*\) and its files are writable by this process$/);
      expect(text).not.toContain('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names PORT and HOST in one line when the address cannot be listened on, not DATA_DIR', async () => {
    const listening = (port: number): Promise<{ server: Server; failure?: unknown }> =>
      new Promise((resolve) => {
        const server = createServer();
        server.once('error', (failure) => resolve({ server, failure }));
        server.listen(port, '127.0.0.1', () => resolve({ server }));
      });
    const taken = await listening(0);
    const port = (taken.server.address() as AddressInfo).port;
    const second = await listening(port);
    taken.server.close();
    const text = startupFailureText(second.failure, { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: '/data' });
    expect(text).toBe(
      `Cannot start: cannot listen (EADDRINUSE: listen EADDRINUSE: address already in use 127.0.0.1:${port}); check PORT (${port}) and HOST (127.0.0.1): a free port this process may bind, an address or a host name of this machine`,
    );
    const privileged = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES', syscall: 'listen' });
    expect(startupFailureText(privileged, { PORT: '80' })).toMatch(/^Cannot start: cannot listen \(EACCES: .*\); check PORT \(80\) and HOST \(unset\)/);
    const unknownHost = Object.assign(new Error('getaddrinfo ENOTFOUND no-such-host'), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'no-such-host' });
    expect(startupFailureText(unknownHost, { HOST: 'no-such-host' })).toMatch(/^Cannot start: cannot listen \(ENOTFOUND: .*\); check PORT \(3000\) and HOST \(no-such-host\)/);
  });

  it('says in one line that DATA_DIR must be a directory when it, or a directory above it, is a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-failure-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'x');
      for (const dataDir of [file, join(file, 'below')]) {
        let refused: unknown;
        try {
          mkdirSync(dataDir, { recursive: true });
        } catch (error) {
          refused = error;
        }
        expect(startupFailureText(refused, { DATA_DIR: dataDir })).toMatch(
          new RegExp(`^Cannot start: the data directory cannot be made \\((EEXIST|ENOTDIR): [^\n]*\\); check that DATA_DIR \\(${dataDir}\\) names a directory, not a file$`),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the stack of anything else', () => {
    const error = new Error('boom');
    expect(startupFailureText(error)).toBe(error.stack);
  });
});
