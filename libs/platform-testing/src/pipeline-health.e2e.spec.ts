import { Injectable, Logger, Module } from '@nestjs/common';
import type { FollowedProjectionDependencies, ReadModelStore, RecordedEvent } from '@as2-partners/kernel';
import { FollowedProjection } from '@as2-partners/kernel';
import { provideFollowedProjection } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp } from './create-embedded-test-app';
import { DemoModule } from './demo.module';

/** A read model whose handler fails while `poisoned` is set: with endless retries it holds the event (a stalled projection). */
@Injectable()
class PoisonableProjection extends FollowedProjection {
  static poisoned = false;
  readonly name = 'poisonable-things';
  readonly applied: string[] = [];

  constructor(followed: FollowedProjectionDependencies, private readonly readModels: ReadModelStore) {
    super(followed);
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'demo.thing-created.v1';
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    if (PoisonableProjection.poisoned) throw new Error('cannot apply: mongodb://10.0.0.9:27017 refused');
    await this.readModels.collection('poisonable_things').put({ _id: event.id });
    this.applied.push(event.stream);
  }

  protected async clear(): Promise<void> {
    await this.readModels.collection('poisonable_things').clear();
  }
}

@Module({ providers: [provideFollowedProjection(PoisonableProjection, 'PoisonableProjection')] })
class PoisonableModule {}

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('readiness follows the pipeline (embedded app with a projection that can be poisoned)', () => {
  let t: EmbeddedTestApp;
  let warned: jest.SpyInstance;

  beforeAll(async () => {
    warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    t = await createEmbeddedTestApp({
      imports: [DemoModule, PoisonableModule],
      env: { PIPELINE_STALL_SECONDS: '1', FOLLOWER_RETRY_ATTEMPTS: '1000', FOLLOWER_RETRY_INITIAL_MS: '20', FOLLOWER_RETRY_MAX_MS: '50' },
    });
  });

  afterAll(async () => {
    PoisonableProjection.poisoned = false;
    await t?.close();
    jest.restoreAllMocks();
  });

  const ready = () => t.app.inject({ method: 'GET', url: '/health/ready' });

  it('reports every follower (position, lag, parked) while ready', async () => {
    const res = await ready();
    expect(res.statusCode).toBe(200);
    const followers = res.json().details.pipeline.followers;
    expect(followers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'poisonable-things', kind: 'projection', stalled: false, parked: 0, eventsBehind: 0, failing: false }),
        expect.objectContaining({ name: 'outbox:demo', kind: 'relay', stalled: false }),
      ]),
    );
  });

  it('turns unready once a projection is held on one event past PIPELINE_STALL_SECONDS, and ready again when it moves', async () => {
    PoisonableProjection.poisoned = true;
    const created = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { authorization: `Bearer ${t.token()}` }, payload: { as2_id: 'POISON' } });
    expect(created.statusCode).toBe(201);

    const unready = await until(ready, (res) => res.statusCode === 503);
    const details = unready.json().error.details;
    expect(details.pipeline).toMatchObject({ status: 'down', stalled: ['poisonable-things'] });
    expect(details.pipeline.followers).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'poisonable-things', stalled: true, failing: true, eventsBehind: expect.any(Number) })]),
    );
    expect(details.pipeline.followers.find((f: { name: string }) => f.name === 'poisonable-things').stalledSeconds).toBeGreaterThan(1);
    // The error text names a host: only the log and the operators' route carry it.
    expect(unready.body).not.toContain('10.0.0.9');
    expect(warned).toHaveBeenCalledWith(expect.stringContaining('Follower poisonable-things is stalled'));
    const operator = await t.app.inject({ method: 'GET', url: '/v1/admin/followers', headers: { authorization: `Bearer ${t.token({ roles: ['operator'], tenant: null })}` } });
    expect(operator.statusCode).toBe(200);
    expect(operator.json().data).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'poisonable-things', stalled: true, failing: true, lastError: expect.stringContaining('10.0.0.9') })]));
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/followers', headers: { authorization: `Bearer ${t.token()}` } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/followers' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

    PoisonableProjection.poisoned = false;
    const readyAgain = await until(ready, (res) => res.statusCode === 200);
    expect(readyAgain.json().details.pipeline.followers).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'poisonable-things', stalled: false, stalledSeconds: 0, failing: false })]),
    );
    const operatorAgain = await t.app.inject({ method: 'GET', url: '/v1/admin/followers', headers: { authorization: `Bearer ${t.token({ roles: ['operator'], tenant: null })}` } });
    expect(operatorAgain.json().data).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'poisonable-things', failing: false, lastError: null })]));
  });
});
