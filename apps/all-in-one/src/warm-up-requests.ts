import { randomBytes } from 'node:crypto';
import type { WarmUpAnswer, WarmUpClient } from '@as2-partners/platform';

/** How long the warm-up waits at most for the followers to take its creates in. */
const FOLLOWERS_WAIT_MS = 2_000;
/** Enough runs for V8 to have compiled and tiered up what a create runs (the first two still pay part of it). */
const CREATES = 4;
const OUR_AS2_ID = 'WARM-UP-OURS';

/**
 * The all-in-one's warm-up (warmUpOnThrowawayApp, before the real app starts): a tenant's first partner creates, each
 * read back, a duplicate refused, an AS2 instance of ours, a list and a search of the partners, the followers (views,
 * reactors, relays, the other services' consumers) left to take it all in, then a gateway's traffic decision: a restart's
 * first requests. Throws when an answer is not the one a working app gives (the start then says it stopped short).
 */
export async function warmUpRequests(client: WarmUpClient): Promise<void> {
  const user = client.token({ sub: 'warm-up', account: 'warm-up-account', tenant: 'warm-up-tenant', roles: ['tenant_admin'] });
  const operator = client.token({ sub: 'warm-up', account: 'warm-up-account', roles: ['operator'] });
  for (let i = 0; i < CREATES; i++) {
    const { id } = (expected(await client.send('POST', '/v1/partners', { token: user, body: partnerBody(i) }), 201) as { data: { id: string } }).data;
    expected(await client.send('GET', `/v1/partners/${encodeURIComponent(id)}`, { token: user }), 200);
  }
  // An AS2 id the tenant holds: the refusal's path too (422 DUPLICATE_AS2_ID).
  expected(await client.send('POST', '/v1/partners', { token: user, body: partnerBody(0) }), 422);
  // Our own AS2 identity, the other end of the decision below.
  const ours = { my_as2_id: OUR_AS2_ID, my_name: 'Warm-up instance', my_as2_alias: 'warm-up', my_email: 'as2@warm-up.example.com' };
  expected(await client.send('POST', '/v1/as2-instances', { token: user, body: ours }), 201);
  expected(await client.send('GET', '/v1/partners', { token: user }), 200);
  expected(await client.send('GET', '/v1/partners?search=warm', { token: user }), 200);
  const deadline = performance.now() + FOLLOWERS_WAIT_MS;
  while (performance.now() < deadline) {
    const { data } = expected(await client.send('GET', '/v1/admin/followers', { token: operator }), 200) as { data: { eventsBehind?: number | null }[] };
    if (data.every((follower) => !follower.eventsBehind)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // A gateway's decision for a message from one of them (traffic-control's hot path).
  const gateway = client.token({ sub: 'warm-up-gateway', account: 'warm-up-account', roles: ['gateway'] });
  const decision = { direction: 'inbound', as2_from: 'WARM-UP-1', as2_to: OUR_AS2_ID, message_id: '<warm-up@as2-partners>' };
  expected(await client.send('POST', '/v1/traffic/decisions', { token: gateway, body: decision }), 200);
}

/** The bodies a client sends: the fields required only, a few flags, every group of settings (a password sealed). */
function partnerBody(i: number): Record<string, unknown> {
  const required = { name: `Warm-up partner ${i}`, as2_id: `WARM-UP-${i}`, url: `https://as2.warm-up-${i}.example.com/receive` };
  if (i % 3 === 0) return required;
  if (i % 3 === 1) return { ...required, active: true, sign: true, encrypt: true };
  return {
    ...required,
    compress: true,
    mdn_mode: 'sync',
    sign_algorithm: 'SHA256withRSA',
    encrypt_algorithm: 'AES256_CBC',
    email: `edi@warm-up-${i}.example.com`,
    connection: { timeout_seconds: 30, retry_attempts: 3, retry_interval_seconds: 60 },
    http_auth: { enabled: true, username: 'warm-up', password: randomBytes(12).toString('base64url') },
    firewall: { enabled: true, allowed_ips: ['192.0.2.0/24'] },
  };
}

function expected(answer: WarmUpAnswer, status: number): unknown {
  if (answer.status !== status) throw new Error(`answered ${answer.status} where ${status} was expected: ${answer.body.slice(0, 200)}`);
  return JSON.parse(answer.body);
}
