#!/usr/bin/env node
// Bundles an app's compiled entries into one file each (dist/apps/<app>/<entry>.bundle.js) with esbuild: a start then
// reads one file instead of resolving and reading some 2,000 modules (most of a start's time was `require`). Input is
// tsc's output (decorator metadata already emitted, path aliases already rewritten), so esbuild only links CommonJS.
// dist/apps/<app>/<entry>.js runs the bundle with a compile cache (tools/build/compile-cached-entry.cjs).
// Opt-in (APP_BUNDLE=1 at build time): the bundle needs esbuild's keepNames (Nest names providers and loggers after
// their classes), which wraps every function a request creates in a name-setting call: measured 63 µs of CPU per
// traffic decision against 42 µs unbundled (docs/benchmarks.md). Serving speed comes first, so by default, and
// without esbuild installed, the entries run tsc's output through tools/build/module-cached-entry.cjs (V8 code and
// resolutions kept between starts), and the build says so in one line.
// usage: node tools/build/bundle-app.mjs <app> <entry>... [--embedded-first]
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

/**
 * Left to node_modules, loaded at run time: a native addon; assets found by path (Swagger UI); packages a process
 * loads only when configured so (the OpenTelemetry SDK with an exporter, the EventStoreDB client and its gRPC stack
 * with EVENT_STORE=esdb, nodemailer with the first notice). Inside the bundle they would cost every start their parse.
 */
const EXTERNAL_PACKAGES = ['better-sqlite3', 'swagger-ui-dist', '@opentelemetry/sdk-node', '@eventstore/db-client', 'nodemailer'];
/** The drivers of distributed mode: bundled into the services (distributed is their mode), left out of an app built with --embedded-first. */
const DISTRIBUTED_DRIVERS = ['mongoose', 'mongodb', 'kafkajs'];

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));

/** A bare import nothing installed answers (an optional peer such as @nestjs/microservices): kept as a runtime require, which fails as it did unbundled, where the importer expects it to. */
const optionalPackagesStayExternal = {
  name: 'optional-packages-stay-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      try {
        createRequire(args.importer || join(root, 'package.json')).resolve(args.path);
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};

/** An entry running tsc's output through the module cache (tools/build/module-cached-entry.cjs, copied beside it). */
const forwarding = (target, cacheName) =>
  `'use strict';\nrequire('./module-cached-entry.cjs')(require('node:path').join(__dirname, ${JSON.stringify(target)}), ${JSON.stringify(cacheName)});\n`;

async function main() {
  const args = process.argv.slice(2);
  const embeddedFirst = args.includes('--embedded-first');
  const [app, ...entries] = args.filter((arg) => !arg.startsWith('--'));
  if (!app || entries.length === 0) {
    process.stderr.write('usage: bundle-app.mjs <app> <entry>... [--embedded-first]\n');
    process.exit(2);
  }
  const outDir = join(root, 'dist', 'apps', app);
  let esbuild = null;
  if (process.env['APP_BUNDLE'] !== '1') process.stdout.write(`${app}: entries run tsc's output (APP_BUNDLE=1 bundles them)\n`);
  else {
    try {
      esbuild = require('esbuild');
    } catch {
      process.stdout.write(`${app}: esbuild is not installed, entries forward to the unbundled output\n`);
    }
  }
  for (const entry of entries) {
    const compiled = join(outDir, 'apps', app, 'src', `${entry}.js`);
    if (!existsSync(compiled)) {
      process.stderr.write(`bundle-app: ${relative(root, compiled)} was not built\n`);
      process.exit(1);
    }
    const outfile = join(outDir, `${entry}.js`);
    if (!esbuild) {
      copyFileSync(join(import.meta.dirname, 'module-cached-entry.cjs'), join(outDir, 'module-cached-entry.cjs'));
      writeFileSync(outfile, forwarding(relative(dirname(outfile), compiled), `${entry}.modules.v8-cache`));
      continue;
    }
    await esbuild.build({
      entryPoints: [compiled],
      outfile: join(outDir, `${entry}.bundle.js`),
      bundle: true,
      platform: 'node',
      // The oldest Node the engines field allows.
      target: 'node20',
      format: 'cjs',
      // Nest names providers, loggers and error types after their classes: names must survive the bundle's renames.
      keepNames: true,
      external: embeddedFirst ? [...EXTERNAL_PACKAGES, ...DISTRIBUTED_DRIVERS] : EXTERNAL_PACKAGES,
      plugins: [optionalPackagesStayExternal],
      logLevel: 'warning',
      // Optional requires inside try/catch of packages (mongodb's compressors, Nest's optional peers) are expected.
      logOverride: { 'require-resolve-not-external': 'silent' },
    });
    // The entry runs the bundle with V8's compiled code kept between starts.
    copyFileSync(join(import.meta.dirname, 'compile-cached-entry.cjs'), outfile);
  }
}

await main();
