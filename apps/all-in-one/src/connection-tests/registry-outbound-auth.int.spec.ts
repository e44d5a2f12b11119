import { PartnerHttpAuth, RegistryOutboundAuthClient, connectionTesterConfigFrom } from '@as2-partners/connection-tester-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, TEST_JWT_SECRET, type EmbeddedTestApp } from '@as2-partners/platform-testing';

jest.setTimeout(60_000);

// Distributed mode: the tester asks the partner-registry's internal route over HTTP with its gateway token.
let registry: EmbeddedTestApp;
let baseUrl: string;
let partnerId: string;
const PASSWORD = 'over-the-wire-Pw1';

beforeAll(async () => {
  registry = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
  await registry.app.listen(0, '127.0.0.1');
  baseUrl = `${await registry.app.getUrl()}`.replace('[::1]', '127.0.0.1');
  const res = await registry.app.inject({
    method: 'POST',
    url: '/v1/partners',
    headers: { authorization: `Bearer ${registry.token({ account: 'acme', tenant: 'wire' })}` },
    payload: { name: 'Wire', as2_id: 'WIREP', url: 'https://wire.example.com/as2', http_auth: { enabled: true, username: 'wire-user', password: PASSWORD } },
  });
  expect(res.statusCode).toBe(201);
  partnerId = res.json().data.id;
});

afterAll(() => registry?.close());

const ref = (tenant = 'wire', account = 'acme') => ({ account, tenant, partnerId, requestedBy: 'connection-tester' });

describe('RegistryOutboundAuthClient', () => {
  it("gets the credential with a gateway token of every account, or of the partner's account", async () => {
    const everyAccount = new RegistryOutboundAuthClient(baseUrl, registry.token({ sub: 'tester', account: '*', tenant: null, roles: ['gateway'] }));
    expect(await everyAccount.outboundAuth(ref())).toEqual({ enabled: true, username: 'wire-user', password: PASSWORD });
    const ofAccount = new RegistryOutboundAuthClient(`${baseUrl}/`, registry.token({ sub: 'tester', account: 'acme', tenant: null, roles: ['gateway'] }));
    expect(await ofAccount.outboundAuth(ref())).toEqual({ enabled: true, username: 'wire-user', password: PASSWORD });
  });

  it('names the status and code of a refusal, never a credential', async () => {
    const gateway = new RegistryOutboundAuthClient(baseUrl, registry.token({ sub: 'tester', account: '*', tenant: null, roles: ['gateway'] }));
    await expect(gateway.outboundAuth(ref('another-tenant'))).rejects.toThrow('the partner registry answered 404 PARTNER_NOT_FOUND');
    const notGateway = new RegistryOutboundAuthClient(baseUrl, registry.token({ account: 'acme', tenant: 'wire', roles: ['tenant_admin'] }));
    await expect(notGateway.outboundAuth(ref())).rejects.toThrow('the partner registry answered 403 FORBIDDEN');
    const otherAccount = new RegistryOutboundAuthClient(baseUrl, registry.token({ sub: 'tester', account: 'globex', tenant: null, roles: ['gateway'] }));
    await expect(otherAccount.outboundAuth(ref())).rejects.toThrow('the partner registry answered 403 ACCOUNT_FORBIDDEN');
  });
});

describe('PartnerHttpAuth with PARTNER_REGISTRY_URL (no registry in process)', () => {
  const configWith = (env: Record<string, string>) => connectionTesterConfigFrom(env, 'distributed');

  it('turns the credential into a Basic header', async () => {
    const auth = new PartnerHttpAuth(configWith({ PARTNER_REGISTRY_URL: baseUrl, PARTNER_REGISTRY_TOKEN: registry.token({ sub: 'tester', account: '*', tenant: null, roles: ['gateway'] }) }));
    expect(await auth.forPartner('acme', 'wire', partnerId)).toEqual({ authorization: `Basic ${Buffer.from(`wire-user:${PASSWORD}`).toString('base64')}`, note: null });
  });

  it('sends without, saying why, when the registry refuses or is not configured', async () => {
    const refused = new PartnerHttpAuth(configWith({ PARTNER_REGISTRY_URL: baseUrl, PARTNER_REGISTRY_TOKEN: 'not-a-jwt' }));
    expect(await refused.forPartner('acme', 'wire', partnerId)).toEqual({ authorization: null, note: expect.stringContaining('could not be obtained (the partner registry answered 401') });
    for (const env of [{}, { PARTNER_REGISTRY_URL: baseUrl }] as Record<string, string>[]) {
      const none = new PartnerHttpAuth(configWith(env));
      expect(await none.forPartner('acme', 'wire', partnerId)).toEqual({ authorization: null, note: expect.stringContaining('PARTNER_REGISTRY_URL is not set') });
    }
  });

  it('mints its own gateway token when the services share the HS256 JWT_SECRET', async () => {
    const jwt = { key: { kind: 'secret' as const, secret: TEST_JWT_SECRET, isDevSecret: false }, clockToleranceSeconds: 5 };
    const auth = new PartnerHttpAuth(connectionTesterConfigFrom({ PARTNER_REGISTRY_URL: baseUrl }, 'distributed', jwt));
    expect(await auth.forPartner('acme', 'wire', partnerId)).toEqual({ authorization: `Basic ${Buffer.from(`wire-user:${PASSWORD}`).toString('base64')}`, note: null });
    const otherSecret = new PartnerHttpAuth(connectionTesterConfigFrom({ PARTNER_REGISTRY_URL: baseUrl }, 'distributed', { ...jwt, key: { kind: 'secret', secret: 'x'.repeat(40), isDevSecret: false } }));
    expect(await otherSecret.forPartner('acme', 'wire', partnerId)).toEqual({ authorization: null, note: expect.stringContaining('401') });
  });

  it('refuses a token without the URL at start-up, naming the variable', () => {
    expect(() => configWith({ PARTNER_REGISTRY_TOKEN: 'x' })).toThrow('PARTNER_REGISTRY_URL');
  });
});
