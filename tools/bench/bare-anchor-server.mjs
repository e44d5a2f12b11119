// The read-path anchor of bench:scale: a bare Fastify server answering partner documents of the same shape and size
// as the API's from memory (a Map by id, an array per tenant), with the same search (case-insensitive substring of
// name or AS2 id), pagination and ?active= filter, and no authentication, framework pipeline or store.
// usage: node tools/bench/bare-anchor-server.mjs <documents.json> <port>   (prints "listening" when ready)
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [file, port] = process.argv.slice(2);
const { template, tenants } = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map();
const byTenant = new Map();
for (const { tenant, partners } of tenants) {
  const docs = partners.map(([id, name, as2Id, active]) => ({ ...template, id, name, as2_id: as2Id, active }));
  for (const doc of docs) byId.set(doc.id, doc);
  byTenant.set(tenant, docs);
}

const app = Fastify({ logger: false });
// what bench:scale asks (as of the app) to know the requests a run left queued are answered
app.get('/health/live', () => ({ status: 'ok' }));
app.get('/v1/partners/:id', (request, reply) => {
  const doc = byId.get(request.params.id);
  if (!doc) return reply.code(404).send({ message: 'Partner not found' });
  return doc;
});
app.get('/v1/tenants/:tenant/partners', (request) => {
  const { search, active, page = '1', per_page: perPage = '20' } = request.query;
  const needle = search?.toLowerCase();
  const wantActive = active === undefined ? undefined : active === 'true';
  const matches = (byTenant.get(request.params.tenant) ?? []).filter(
    (doc) =>
      (wantActive === undefined || doc.active === wantActive) &&
      (needle === undefined || doc.name.toLowerCase().includes(needle) || doc.as2_id.toLowerCase().includes(needle)),
  );
  const start = (Number(page) - 1) * Number(perPage);
  return { data: matches.slice(start, start + Number(perPage)), pagination: { page: Number(page), per_page: Number(perPage), total: matches.length } };
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('listening\n');
