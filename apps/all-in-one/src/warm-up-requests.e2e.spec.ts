import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Controller, Get } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openInfrastructure } from '@as2-partners/composition';
import { KEEP_COMPILED_CODE, startHttpServer, warmUpOnThrowawayApp, type WarmUpClient, type WarmUpRequests } from '@as2-partners/platform';
import { freePort, signHs256TestToken } from '@as2-partners/platform-testing';
import { AllInOneModule } from './all-in-one.module';
import { warmUpRequests } from './warm-up-requests';

// A throwaway app and, in the last case, a real one are started: on a loaded 2-core machine that takes seconds.
jest.setTimeout(60_000);

const SECRET = 'warm-up-spec-secret-0123456789abcdef';

/** The throwaway DATA_DIRs left in either place warmUpOnThrowawayApp may put them. */
/** This process's throwaway directories (named with its pid): another run's on the same machine come and go meanwhile. */
const scratchDirs = (): string[] =>
  ['/dev/shm', tmpdir()].filter((root) => existsSync(root)).flatMap((root) => readdirSync(root).filter((name) => name.startsWith(`as2-warm-up-${process.pid}-`)).map((name) => join(root, name)));

interface Sent {
  readonly request: string;
  readonly status: number;
  readonly body: string;
}

/** The warm-up's requests, each one's answer recorded. */
function recorded(requests: WarmUpRequests, sent: Sent[], token?: (claims: Readonly<Record<string, unknown>>) => string): WarmUpRequests {
  return (client: WarmUpClient) =>
    requests({
      token: token ?? ((claims) => client.token(claims)),
      send: async (method, path, options) => {
        const answer = await client.send(method, path, options);
        sent.push({ request: `${method} ${path.split('?')[0]?.replace(/prt_\w+/, '{id}')}`, status: answer.status, body: answer.body });
        return answer;
      },
    });
}

describe('the all-in-one warm-up: the first requests run on a throwaway app before the real one starts', () => {
  const global = globalThis as unknown as Record<symbol, unknown>;
  let keep: jest.Mock;

  beforeEach(() => {
    keep = jest.fn();
    global[KEEP_COMPILED_CODE] = keep;
  });
  afterEach(() => {
    delete global[KEEP_COMPILED_CODE];
  });

  it('creates partners, reads them back, lists and searches them, waits for the followers and asks a decision, every answer the one expected; the throwaway leaves nothing', async () => {
    const before = scratchDirs();
    const sent: Sent[] = [];
    const outcome = await warmUpOnThrowawayApp(AllInOneModule, { openInfrastructure }, recorded(warmUpRequests, sent));

    expect(outcome.failure).toBeUndefined();
    const requests = sent.map((s) => `${s.request} ${s.status}`);
    expect(requests.slice(0, 12)).toEqual([
      ...Array.from({ length: 4 }, () => ['POST /v1/partners 201', 'GET /v1/partners/{id} 200']).flat(),
      'POST /v1/partners 422',
      'POST /v1/as2-instances 201',
      'GET /v1/partners 200',
      'GET /v1/partners 200',
    ]);
    expect(JSON.parse(sent[8]?.body ?? '{}').error.code).toBe('DUPLICATE_AS2_ID');
    expect(JSON.parse(sent[11]?.body ?? '{}').data.map((partner: { as2_id: string }) => partner.as2_id).sort()).toEqual(['WARM-UP-0', 'WARM-UP-1', 'WARM-UP-2', 'WARM-UP-3']);
    // It stopped asking once every follower had taken the creates in (views, reactors, relays, the other services' consumers).
    const followers = JSON.parse(sent.filter((s) => s.request === 'GET /v1/admin/followers').at(-1)?.body ?? '{}').data as { name: string; position: number | null; eventsBehind: number | null }[];
    expect(followers.length).toBeGreaterThan(5);
    expect(followers.filter((follower) => follower.eventsBehind)).toEqual([]);
    expect(followers.some((follower) => (follower.position ?? 0) > 0)).toBe(true);
    // Then a gateway's decision for a message from one of them, answered from traffic-control's directory.
    expect(requests.at(-1)).toBe('POST /v1/traffic/decisions 200');
    expect(JSON.parse(sent.at(-1)?.body ?? '{}')).toMatchObject({ decision: 'accept' });
    // Its directory is removed, and its stop wrote no code cache: that is the real app's stop's to write.
    expect(scratchDirs()).toEqual(before);
    expect(keep).not.toHaveBeenCalled();
    expect(global[KEEP_COMPILED_CODE]).toBe(keep);
  });

  it('says what stopped it short instead of failing the start, and still removes its directory', async () => {
    const before = scratchDirs();
    const sent: Sent[] = [];
    const outcome = await warmUpOnThrowawayApp(AllInOneModule, { openInfrastructure }, recorded(warmUpRequests, sent, () => 'not-a-token'));

    expect(outcome.failure).toMatch(/answered 401 where 201 was expected/);
    expect(sent.map((s) => `${s.request} ${s.status}`)).toEqual(['POST /v1/partners 401']);
    expect(scratchDirs()).toEqual(before);
  });

  it('gives up a request that is not answered, closes its connection and the throwaway app, and says so', async () => {
    @Controller('v1/warm-up-hang')
    class HangingController {
      @Get()
      hang(): Promise<never> {
        return new Promise<never>(() => undefined);
      }
    }
    const before = scratchDirs();
    const outcome = await warmUpOnThrowawayApp(
      { module: class HangingModule {}, controllers: [HangingController] },
      { openInfrastructure },
      async (client) => void (await client.send('GET', '/v1/warm-up-hang', { token: client.token({ sub: 'warm-up', account: 'a', tenant: 't', roles: ['tenant_admin'] }) })),
      300,
    );

    expect(outcome.failure).toMatch(/GET \/v1\/warm-up-hang was not answered within 300 ms/);
    expect(scratchDirs()).toEqual(before);
  });

  describe('startHttpServer with the warm-up', () => {
    let dataDir: string;
    let app: NestFastifyApplication | undefined;

    beforeEach(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'as2-warm-up-spec-'));
    });
    afterEach(async () => {
      await app?.close();
      app = undefined;
      await rm(dataDir, { recursive: true, force: true });
    });

    it('leaves the real stores without a trace of the warm-up: no event, no partner of its tenant', async () => {
      const sent: Sent[] = [];
      const env = { MODE: 'embedded', DATA_DIR: dataDir, JWT_SECRET: SECRET, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'error' };
      app = await startHttpServer(AllInOneModule, { openInfrastructure, shutdownHooks: false, warmUp: recorded(warmUpRequests, sent) }, env);

      // The warm-up did run (its creates were answered 201), on another app.
      expect(sent.filter((s) => s.request === 'POST /v1/partners' && s.status === 201)).toHaveLength(4);
      const token = signHs256TestToken({ sub: 'warm-up', account: 'warm-up-account', tenant: 'warm-up-tenant', roles: ['tenant_admin'], exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
      const listed = await app.inject({ method: 'GET', url: '/v1/partners', headers: { authorization: `Bearer ${token}` } });
      expect(listed.statusCode).toBe(200);
      expect(listed.json().data).toEqual([]);
      await app.close();
      app = undefined;
      const events = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
      try {
        expect(events.prepare(`SELECT count(*) AS n FROM events WHERE data LIKE '%WARM-UP%' OR stream LIKE '%warm-up%'`).get()).toEqual({ n: 0 });
      } finally {
        events.close();
      }
    });

    it('WARM_UP=off starts without it', async () => {
      const sent: Sent[] = [];
      const env = { MODE: 'embedded', DATA_DIR: dataDir, JWT_SECRET: SECRET, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'error', WARM_UP: 'off' };
      app = await startHttpServer(AllInOneModule, { openInfrastructure, shutdownHooks: false, warmUp: recorded(warmUpRequests, sent) }, env);
      expect(sent).toEqual([]);
    });
  });
});

