#!/usr/bin/env node
// npm start / npm run rebuild-read-models: builds all-in-one only when a build input changed since the last build
// (a fingerprint of every input's path, size and mtime and of APP_BUNDLE, kept beside the build), then runs the entry in this process.
// usage: node tools/dev/start.mjs [entry | --build-only]   (entry: main, the default, or rebuild-read-models)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');
const outDir = join(root, 'dist', 'apps', 'all-in-one');
const fingerprintFile = join(outDir, '.build-inputs');
const buildOnly = process.argv[2] === '--build-only';
const entry = buildOnly ? 'main' : (process.argv[2] ?? 'main');
const entryJs = join(outDir, `${entry}.js`);

/** Sources the build compiles (specs excluded, as tsconfig.app.json does), the TypeScript configs, the lockfile and the bundler's scripts. */
function inputs() {
  const files = ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tools/build/bundle-app.mjs', 'tools/build/compile-cached-entry.cjs', 'tools/build/module-cached-entry.cjs'].map((f) => join(root, f));
  const walk = (dir) => {
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, item.name);
      if (item.isDirectory()) {
        if (item.name !== 'node_modules') walk(path);
      } else if (/\.(ts|json|mjs)$/.test(item.name) && !/\.spec(-support)?\.ts$/.test(item.name)) {
        files.push(path);
      }
    }
  };
  walk(join(root, 'apps'));
  walk(join(root, 'libs'));
  return files.sort();
}

function fingerprint() {
  const hash = createHash('sha256');
  // The build's own switch: a bundled build and tsc's output are two builds of the same sources.
  hash.update(`APP_BUNDLE=${process.env.APP_BUNDLE === '1' ? '1' : ''}\n`);
  for (const file of inputs()) {
    const stat = statSync(file, { throwIfNoEntry: false });
    hash.update(`${relative(root, file)}\0${stat ? `${stat.size}:${stat.mtimeMs}` : 'missing'}\n`);
  }
  return hash.digest('hex');
}

const current = fingerprint();
const built = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, 'utf8') : null;
if (built === current && existsSync(entryJs)) {
  process.stdout.write('all-in-one: no source changed since the last build, not rebuilding\n');
} else {
  const build = spawnSync('npx', ['nx', 'build', 'all-in-one', '--output-style=static'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeFileSync(fingerprintFile, current);
}
if (!buildOnly) await import(pathToFileURL(entryJs).href);
