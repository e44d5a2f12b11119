// The baseline of `npm run bench:traffic`: a bare Fastify server with one route that looks a key up in a Map and
// returns the same JSON as the decision route (same body, same answer shape), nothing else.
import Fastify from 'fastify';

const partners = Number(process.env.PARTNERS ?? 10_000);
const table = new Map();
for (let p = 0; p < partners; p += 1) table.set(`US-${p % 1000}\u0000PARTNER-${p}`, `prt_${String(p).padStart(26, '0')}`);

const app = Fastify({ logger: false });
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
    as_of: { partner_registry: 1, traffic_control: 1 },
  };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
