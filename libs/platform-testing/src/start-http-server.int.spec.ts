import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openInfrastructure } from '@as2-partners/composition';
import { startHttpServer } from '@as2-partners/platform';
import { freePort } from './free-port';

const REAL_SECRET = 'start-http-server-test-secret-0123456789abcdef';


describe('startHttpServer: where it listens', () => {
  let dataDir: string;
  let app: NestFastifyApplication | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-listen-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>) => {
    const port = String(await freePort());
    app = await startHttpServer({ module: class ListenTestModule {} }, { shutdownHooks: false, openInfrastructure }, { DATA_DIR: dataDir, LOG_LEVEL: 'error', PORT: port, ...env });
    return app.getHttpServer().address() as AddressInfo;
  };

  it('with the published development JWT secret it listens on loopback only', async () => {
    expect((await start({})).address).toBe('127.0.0.1');
  });

  it('HOST given explicitly wins with a real secret; with the development secret another address than loopback is refused', async () => {
    expect((await start({ HOST: '127.0.0.1', JWT_SECRET: REAL_SECRET })).address).toBe('127.0.0.1');
    await app?.close();
    app = undefined;
    await expect(start({ HOST: '0.0.0.0' })).rejects.toThrow(/HOST must be a loopback address/);
  });

  it('with a real JWT secret it listens on every interface, as before', async () => {
    expect((await start({ JWT_SECRET: REAL_SECRET })).address).toBe('0.0.0.0');
  });
});
