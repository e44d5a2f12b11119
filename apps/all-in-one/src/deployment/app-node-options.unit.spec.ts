import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import APP_NODE_OPTIONS = require('../../../../tools/dev/app-node-options.cjs');

const root = join(__dirname, '..', '..', '..', '..');

describe('the Node options the embedded app runs with (tools/dev/app-node-options.cjs)', () => {
  it('are the ones `npm start` passes, so the benchmarks that start the built app with them measure what a user runs', () => {
    const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start'];
    expect(APP_NODE_OPTIONS.length).toBeGreaterThan(0);
    expect(start).toBe(`node ${APP_NODE_OPTIONS.join(' ')} tools/dev/start.mjs`);
  });
});
