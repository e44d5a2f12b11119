import { randomUUID } from 'node:crypto';
import { EVENT_BUS, topicOf, type EventBus, type RecordedEvent } from '@as2-partners/kernel';
import type { EmbeddedTestApp, TestTokenClaims } from '@as2-partners/platform-testing';

export interface ApiResponse {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are asserted field by field in specs
  readonly body: any;
}

/** A caller of the embedded app: every request carries a bearer token for the given claims (null: no token). */
export function trafficApiAs(t: EmbeddedTestApp, claims: Partial<TestTokenClaims> | null = {}) {
  const headers: Record<string, string> = claims === null ? {} : { authorization: `Bearer ${t.token(claims)}` };
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<ApiResponse> => {
    const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload: unknown) => call('POST', url, payload),
    put: (url: string, payload: unknown) => call('PUT', url, payload),
    patch: (url: string, payload: unknown) => call('PATCH', url, payload),
    delete: (url: string) => call('DELETE', url),
  };
}

export type TrafficApi = ReturnType<typeof trafficApiAs>;

let counter = 0;
/** An id no other test uses, so tests share one app without seeing each other's partners. */
export function fresh(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

let position = 1_000_000;
/**
 * Publishes a partner-registry event on the in-process bus as the registry would (AS2 instances and stations are
 * built by the registry in parallel; until their routes land, the tests produce their events here).
 */
export async function publishRegistryEvent(t: EmbeddedTestApp, type: string, data: Record<string, unknown>, scope: { account: string; tenant: string | null }): Promise<void> {
  position += 1;
  const event: RecordedEvent = {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: { ...scope, correlationId: randomUUID(), causationId: null, actor: { type: 'user', id: 'fixture' }, occurredAt: new Date().toISOString() },
    stream: `${type.split('.')[0]}-${String(data['instanceId'] ?? data['stationId'] ?? data['partnerId'])}`,
    revision: 0,
    position,
  };
  await t.app.get<EventBus>(EVENT_BUS).publish(topicOf('partner-registry'), [event]);
}

export async function createInstance(t: EmbeddedTestApp, instance: { instanceId: string; account: string; tenant: string | null; myAs2Id: string; status?: 'on' | 'off' }): Promise<void> {
  await publishRegistryEvent(
    t,
    'as2_instance.created.v1',
    { myName: instance.myAs2Id, myAs2Alias: instance.myAs2Id.toLowerCase(), myEmail: 'as2@example.com', status: 'on', createdAt: new Date().toISOString(), ...instance },
    instance,
  );
}

export function partnerInput(as2Id: string, extra: Record<string, unknown> = {}) {
  return { name: `Partner ${as2Id}`, as2_id: as2Id, url: `https://${as2Id.toLowerCase()}.example.com/as2`, ...extra };
}

/** Decision requests as the gateway sends them (with a tenant claim: a gateway scoped to that tenant). */
export function gatewayAs(t: EmbeddedTestApp, account: string, tenant: string | null = null) {
  const authorization = `Bearer ${t.token({ sub: 'gateway-1', account, tenant, roles: ['gateway'] })}`;
  return {
    decide: async (body: unknown, headers: Record<string, string> = { authorization }): Promise<ApiResponse> => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/traffic/decisions', headers, payload: body as object });
      return { status: res.statusCode, body: res.json() };
    },
    batch: async (body: unknown): Promise<ApiResponse> => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/traffic/decisions:batch', headers: { authorization }, payload: body as object });
      return { status: res.statusCode, body: res.json() };
    },
  };
}
