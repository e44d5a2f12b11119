import type { AddressInfo } from 'node:net';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { INFRASTRUCTURE, type InfrastructureConnections } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';

const ACCOUNT = `acct-lost-${process.pid}`;
const TENANT = `lost-${process.pid}`;

// After a failed read-model commit (until a restart) the views may lack what is stored: a partner answered 201 a moment
// before may be missing from them. A not-found is then 503 STORE_UNAVAILABLE on every route, the partner read served
// beside Nest (its hot route) as much as the Nest route.
describe('GET /v1/partners/{id} while the views may have lost writes', () => {
  let t: EmbeddedTestApp;
  let base: string;
  let infrastructure: InfrastructureConnections;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    infrastructure = t.app.get<InfrastructureConnections>(INFRASTRUCTURE);
  }, 60_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  const token = () => t.token({ account: ACCOUNT, tenant: TENANT, roles: ['tenant_admin'] });

  async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { error?: { code?: string } }; retryAfter: string | null }> {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token()}`, ...headers } });
    return { status: res.status, body: (await res.json()) as { error?: { code?: string } }, retryAfter: res.headers.get('retry-after') };
  }

  it('answers an id the views do not hold 503 STORE_UNAVAILABLE with Retry-After on the hot route and the Nest route, 404 once they hold every write', async () => {
    const created = await fetch(`${base}/v1/partners`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Lost Views', as2_id: `LOST-${process.pid}`, url: 'https://lost.example.com/as2' }),
    });
    expect(created.status).toBe(201);
    const { id } = ((await created.json()) as { data: { id: string } }).data;
    // the token verified once by the Nest route: the hot route takes its requests from now on
    expect((await get(`/v1/partners/${id}`)).status).toBe(200);
    const missing = `prt_01JLOSTVIEWS${'0'.repeat(13)}`;
    expect((await get(`/v1/partners/${missing}`)).status).toBe(404);

    const lost = jest.spyOn(infrastructure, 'viewsRefusal').mockReturnValue(new Error('a read-model commit failed'));
    for (const headers of [{}, { origin: 'https://admin.example.com' }] as Record<string, string>[]) {
      const answer = await get(`/v1/partners/${missing}`, headers);
      expect([answer.status, answer.body.error?.code, answer.retryAfter]).toEqual([503, 'STORE_UNAVAILABLE', '5']);
      expect(JSON.stringify(answer.body)).not.toMatch(/read-model/);
    }
    // what the views hold is answered as ever
    expect((await get(`/v1/partners/${id}`)).status).toBe(200);
    lost.mockRestore();
    expect((await get(`/v1/partners/${missing}`)).status).toBe(404);
  });
});
