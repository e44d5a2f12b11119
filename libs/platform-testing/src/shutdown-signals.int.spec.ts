import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInfrastructure } from '@as2-partners/composition';
import { createHttpApp, loadPlatformConfig } from '@as2-partners/platform';

const STOPS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;
// A handler that returns from a real memory fault runs the faulting instruction again, forever: the process must not listen.
const FAULTS = ['SIGBUS', 'SIGSEGV', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP'] as const;

describe('the signals a deployable listens to', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-signals-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('closes on a stop signal, and leaves a fault (SIGBUS, SIGSEGV, …) to end the process', async () => {
    const counts = () => Object.fromEntries([...STOPS, ...FAULTS].map((signal) => [signal, process.listenerCount(signal)]));
    const before = counts();
    const config = loadPlatformConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', JWT_SECRET: 'signals-spec-secret-0123456789abcdef0123' });
    const app = await createHttpApp({ module: class SignalsModule {} }, config, { openInfrastructure });
    try {
      const during = counts();
      expect(Object.fromEntries(STOPS.map((signal) => [signal, during[signal] - before[signal]]))).toEqual({ SIGTERM: 1, SIGINT: 1, SIGHUP: 1, SIGQUIT: 1 });
      expect(Object.fromEntries(FAULTS.map((signal) => [signal, during[signal] - before[signal]]))).toEqual({ SIGBUS: 0, SIGSEGV: 0, SIGILL: 0, SIGFPE: 0, SIGABRT: 0, SIGTRAP: 0 });
    } finally {
      await app.close();
    }
    expect(counts()).toEqual(before);
  });
});
