// A bisection step of `npm run bench:traffic` (BESIDE=minimal): the very decision route of the built app (its
// Fastify route, schema, serializer, token check, body parser, hot-path server) over a TrafficDirectory filled with
// the bench's partners, instances and paused partners, in a process with nothing else: no Nest, no logger, no
// followers, no schedulers, no read models. It answers what the app answers.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const dist = join(process.env.APP_DIST ?? join(import.meta.dirname, '..', '..', 'dist', 'apps', 'traffic-control'), 'libs');
const platform = require(join(dist, 'platform', 'src', 'index.js'));
const service = require(join(dist, 'traffic-control', 'service', 'src', 'index.js'));
const domain = require(join(dist, 'traffic-control', 'domain', 'src', 'index.js'));

const partners = Number(process.env.PARTNERS ?? 10_000);
const INSTANCES = 1000;
const TENANTS = 100;
const PAUSED_EVERY = 20;
const account = 'bench-account';
const partnerId = (p) => `prt_${String(p).padStart(26, '0')}`;
const tenantOf = (n) => `t${n % TENANTS}`;

const config = platform.loadPlatformConfig({ ...process.env, MODE: 'embedded' });
const live = new service.LiveTrafficDirectory();
const directory = live.directory;
for (let k = 0; k < INSTANCES; k += 1) directory.putInstance({ instanceId: `ins_${k}`, account, tenant: tenantOf(k), myAs2Id: `US-${k}`, status: 'on' });
for (let p = 0; p < partners; p += 1) {
  directory.putPartner({ partnerId: partnerId(p), account, tenant: tenantOf(p), as2Id: `PARTNER-${p}`, name: `Partner ${p}`, active: true, deleted: false, stationId: null });
}
// The paused partners as the projection feeds them: the decider's events folded into the stream's state.
const now = new Date().toISOString();
const decider = domain.partnerTrafficDecider;
for (let p = 0; p < partners; p += PAUSED_EVERY) {
  const ref = { partnerId: partnerId(p), account, tenant: tenantOf(p), scope: 'tenant' };
  const command = { type: 'pause', ref, direction: 'outgoing', response: null, reason: 'bench', until: null, retryAfterSeconds: null, actor: 'bench', now };
  const state = decider.decide(command, decider.initialState()).reduce(decider.evolve, decider.initialState());
  directory.putTraffic(account, ref.tenant, ref.partnerId, state);
}
live.applied('partner-registry', partners + INSTANCES);
live.applied('traffic-control', partners / PAUSED_EVERY);

// Pieces of the app added back one by one (ADD=log-context,metrics,heap,second-fastify): what makes the gap appear.
const added = new Set((process.env.ADD ?? '').split(',').filter(Boolean));
// The kernel's log context run once, as the app's requests and followers do: from then on Node 20 keeps its async hook on.
if (added.has('log-context')) require(join(dist, 'kernel', 'src', 'index.js')).withLogContext({ requestId: 'bench' }, () => undefined);
// The app's metrics registry with prom-client's default metrics (event-loop delay monitor, GC observer).
if (added.has('metrics')) require('prom-client').collectDefaultMetrics({ register: new (require('prom-client').Registry)(), prefix: 'as2_' });
// A heap the size of the app's (HEAP_MB of small objects kept alive), for the garbage collector to walk.
const kept = [];
if (added.has('heap')) for (let i = 0; i < Number(process.env.HEAP_MB ?? 100) * 8_000; i += 1) kept.push({ id: `doc-${i}`, n: i, tags: [i] });

// A second Fastify instance like the app's own (decorated requests, hooks, a plugin context) that has served requests:
// Fastify's functions are shared by both instances, and so is what V8 learnt about the objects they handled.
if (added.has('second-fastify')) {
  const Fastify = require('fastify');
  const other = Fastify({ logger: false, genReqId: () => 'id' });
  other.decorateRequest('ids', null);
  other.decorateRequest('span', null);
  other.decorateReply('started', 0);
  other.addHook('onRequest', async (request) => void (request.ids = { correlationId: 'c' }));
  other.addHook('preHandler', (_request, _reply, done) => done());
  other.addHook('onResponse', async () => undefined);
  await other.register(async (child) => {
    child.decorateRequest('caller', null);
    child.post('/v1/other', async (request) => ({ ok: true, body: request.body }));
    child.get('/v1/other/:id', async (request, reply) => reply.header('x-id', request.params.id).send({ id: request.params.id }));
  });
  await other.ready();
  for (let i = 0; i < 2000; i += 1) {
    await other.inject({ method: 'POST', url: '/v1/other', payload: { n: i } });
    await other.inject({ method: 'GET', url: `/v1/other/${i}` });
  }
}

// Blocks are not recorded here (the single rounds decide an accepted pair).
const blocks = { record: () => undefined };
const credentials = new service.GatewayCredentials(platform.JwtVerifier.fromConfig(config.jwt), Date.now);
const decisions = new service.TrafficDecisions(live, blocks, Date.now);
const hotPath = new platform.HotPathRoutes(config.bodyLimitBytes);
// The routes and, in builds that have them, their fast lanes, as the app registers them.
const routing = service.decisionRouting ? service.decisionRouting(credentials, decisions) : { routes: service.decisionRoutes(credentials, decisions), lanes: [] };
for (const route of routing.routes) hotPath.route(route);
for (const lane of routing.lanes) hotPath.fastLane(lane);
await hotPath.start();
// The app's HTTP server settings (createHttpApp's FastifyAdapter options); every other request is a 404.
const server = hotPath.serverFactory()(
  (_request, response) => {
    response.statusCode = 404;
    response.end();
  },
  { requestTimeout: config.requestTimeoutMs, http: { headersTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs) } },
);
await new Promise((resolve) => server.listen(Number(process.env.PORT), '127.0.0.1', resolve));
process.stdout.write('ready\n');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
