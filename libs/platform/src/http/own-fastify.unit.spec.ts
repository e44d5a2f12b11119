import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs `script` in a plain Node process (Jest's own module registry would stand in for Node's require cache). */
function inNode(script: string): Record<string, unknown> {
  const root = join(__dirname, '..', '..', '..', '..');
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json') },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

describe('loadOwnFastify', () => {
  it('gives a Fastify of its own, the same one to every app of the process, and leaves the require cache as it was', () => {
    const found = inNode(`
      const { loadOwnFastify } = require('./libs/platform/src/http/own-fastify.ts');
      const shared = require('fastify');
      const before = new Map(Object.entries(require.cache));
      const own = loadOwnFastify();
      const after = Object.keys(require.cache);
      console.log(JSON.stringify({
        own: own !== shared,
        sharedStill: require('fastify') === shared,
        twice: loadOwnFastify() === own,
        sameKeys: after.length === before.size && after.every((key) => before.has(key)),
        sameCopies: [...before].every(([key, loaded]) => require.cache[key] === loaded),
      }));
    `);
    expect(found).toEqual({ own: true, sharedStill: true, twice: true, sameKeys: true, sameCopies: true });
  }, 60_000);

  it('builds a working server', async () => {
    const { loadOwnFastify } = await import('./own-fastify');
    const app = loadOwnFastify()({ logger: false });
    app.post('/echo', async (request) => ({ got: request.body }));
    const response = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
    expect(response.json()).toEqual({ got: { a: 1 } });
    await app.close();
  });
});
