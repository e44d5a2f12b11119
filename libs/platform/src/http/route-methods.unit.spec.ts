import Fastify from 'fastify';
import { allowedMethodsOf, recordRouteMethods } from './route-methods';

describe('route methods (405 or 404)', () => {
  const fastify = Fastify();
  recordRouteMethods(fastify);
  const ok = async () => ({ ok: true });
  fastify.get('/v1/partners', ok);
  fastify.post('/v1/partners', ok);
  fastify.get('/v1/partners/:id', ok);
  fastify.patch('/v1/partners/:id', ok);
  fastify.put('/v1/partners/:id/certificate-slots/:slot', ok);
  fastify.get('/v1/partnerships/resolve', ok);
  fastify.delete('/v1/partnerships/:id', ok);
  fastify.post('/v1/traffic/decisions::batch', ok);
  fastify.options('*', ok);

  afterAll(() => fastify.close());

  it('lists every method served on a concrete path, parameters matched by segment', () => {
    expect(allowedMethodsOf(fastify, '/v1/partners')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethodsOf(fastify, '/v1/partners/prt_1?x=1')).toEqual(['GET', 'HEAD', 'PATCH']);
    expect(allowedMethodsOf(fastify, '/v1/partners/prt_1/certificate-slots/encryption')).toEqual(['PUT']);
  });

  it('lists only a literal route\'s methods on its path, not those of a parameter route that also matches it', () => {
    expect(allowedMethodsOf(fastify, '/v1/partnerships/resolve?as2_from=A')).toEqual(['GET', 'HEAD']);
    expect(allowedMethodsOf(fastify, '/v1/partnerships/pts_1')).toEqual(['DELETE']);
  });

  it('reads `::` as the literal colon of a path (`decisions:batch`)', () => {
    expect(allowedMethodsOf(fastify, '/v1/traffic/decisions:batch')).toEqual(['POST']);
    expect(allowedMethodsOf(fastify, '/v1/traffic/decisions:other')).toEqual([]);
  });

  it('is empty for a path no route has (a catch-all does not count), so the answer stays 404', () => {
    expect(allowedMethodsOf(fastify, '/v1/partners/prt_1/unknown')).toEqual([]);
    expect(allowedMethodsOf(fastify, '/v1/partners/')).toEqual([]);
    expect(allowedMethodsOf(fastify, '/v1/partners/a/b/certificate-slots/c')).toEqual([]);
    expect(allowedMethodsOf({}, '/v1/partners')).toEqual([]);
  });
});
