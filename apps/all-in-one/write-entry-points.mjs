#!/usr/bin/env node
// tsc keeps the source tree under the output dir (rootDir is the workspace, since libs compile in), so an app's
// main lands at dist/apps/<app>/apps/<app>/src/main.js. This writes dist/apps/<app>/<entry>.js forwarding to it,
// the path npm start, the Dockerfile and the benchmarks run.
// usage: node apps/all-in-one/write-entry-points.mjs <app> <entry>...
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [app, ...entries] = process.argv.slice(2);
if (!app || entries.length === 0) {
  process.stderr.write('usage: write-entry-points.mjs <app> <entry>...\n');
  process.exit(2);
}
const outDir = join('dist', 'apps', app);
for (const entry of entries) {
  const target = `./apps/${app}/src/${entry}.js`;
  if (!existsSync(join(outDir, target))) {
    process.stderr.write(`write-entry-points: ${join(outDir, target)} was not built\n`);
    process.exit(1);
  }
  writeFileSync(join(outDir, `${entry}.js`), `'use strict';\nrequire(${JSON.stringify(target)});\n`);
}
