import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from './all-in-one.module';

describe('all-in-one composition (embedded)', () => {
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });

  afterAll(() => t?.close());

  it('is ready, with the embedded event store and read-model store answering', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json().info).toMatchObject({ eventStore: { status: 'up' }, readModelStore: { status: 'up' }, pipeline: { status: 'up' } });
    expect(res.json().info.pipeline.followers.map((f: { name: string; kind: string }) => `${f.kind}:${f.name}`)).toEqual(
      expect.arrayContaining(['reactor:partner-registry.tenant-closure', 'reactor:traffic-control.block-notices', 'relay:outbox:partner-registry', 'relay:outbox:certificate-lifecycle']),
    );
  });

  it('documents every mounted service in one OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(expect.arrayContaining(['/v1/partners', '/health/live']));
  });

  it('serves the partner registry behind the auth guard', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/partners' })).statusCode).toBe(401);
    const res = await t.app.inject({ method: 'GET', url: '/v1/partners', headers: { authorization: `Bearer ${t.token()}` } });
    expect(res.statusCode).toBe(200);
  });
});
