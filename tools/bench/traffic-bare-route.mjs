// The baseline of `npm run bench:traffic`: a bare Fastify server whose routes look keys up in a Map and return the
// same JSON as the decision routes (same bodies, same answer shapes), nothing else: one decision, and a batch of them.
import Fastify from 'fastify';

const partners = Number(process.env.PARTNERS ?? 10_000);
const table = new Map();
for (let p = 0; p < partners; p += 1) table.set(`US-${p % 1000}\u0000PARTNER-${p}`, `prt_${String(p).padStart(26, '0')}`);

const decide = (item) => {
  const partnerId = table.get(`${item.as2_from}\u0000${item.as2_to}`) ?? null;
  return {
    decision: partnerId ? 'accept' : 'reject',
    reason_code: partnerId ? 'NOT_PAUSED' : 'PARTNER_NOT_FOUND',
    reason: partnerId ? 'NOT_PAUSED' : 'PARTNER_NOT_FOUND',
    message_id: item.message_id,
    partner_id: partnerId,
    as2_instance_id: partnerId ? 'ins_bench' : null,
  };
};
const asOf = { partner_registry: 1, traffic_control: 1 };

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.post('/v1/traffic/decisions', async (request) => {
  const body = request.body;
  const partnerId = table.get(`${body.as2_from}\u0000${body.as2_to}`) ?? null;
  return {
    decision: partnerId ? 'accept' : 'reject',
    reason_code: partnerId ? 'NOT_PAUSED' : 'PARTNER_NOT_FOUND',
    reason: partnerId ? 'NOT_PAUSED' : 'PARTNER_NOT_FOUND',
    message_id: body.message_id,
    partner_id: partnerId,
    as2_instance_id: partnerId ? 'ins_bench' : null,
    as_of: asOf,
  };
});
app.post('/v1/traffic/decisions::batch', async (request) => ({ decisions: request.body.decisions.map(decide), as_of: asOf }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
// A clean exit on SIGTERM, so `node --cpu-prof` writes its profile.
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
