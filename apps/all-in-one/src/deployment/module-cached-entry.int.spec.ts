import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');
const cachedEntry = join(root, 'tools', 'build', 'module-cached-entry.cjs');
/** Node 22.1+ keeps compiled code itself (module.enableCompileCache); older Node uses the entry's own cache file. */
const ownCache = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache !== 'function';

interface Run {
  answer: string;
  dependency: string;
  resolved: string;
  exportsIsThis: boolean;
  stats?: { modulesFromCache: number; modulesCompiled: number; resolutionsFromCache: number };
}

/** tsc's output in small: an entry requiring a module of its own and a package, as the build writes them. */
function writeApp(dir: string, answer: string): void {
  mkdirSync(join(dir, 'apps', 'app', 'src'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'dep', 'package.json'), JSON.stringify({ name: 'dep', main: 'lib.js' }));
  writeFileSync(join(dir, 'node_modules', 'dep', 'lib.js'), `exports.name = 'dep';`);
  writeFileSync(join(dir, 'apps', 'app', 'src', 'answer.js'), `exports.answer = ${JSON.stringify(answer)};`);
  writeFileSync(
    join(dir, 'apps', 'app', 'src', 'main.js'),
    `require('node:v8').setFlagsFromString('--heap-growing-percent=50');
process.stdout.write(JSON.stringify({ answer: require('./answer').answer, dependency: require('dep').name, resolved: require.resolve('./answer'),
  exportsIsThis: module.exports === exports, stats: globalThis[Symbol.for('as2-partners.module-cache')] }));
setTimeout(() => undefined, 100);`,
  );
  writeFileSync(join(dir, 'main.js'), `'use strict';\nrequire('./module-cached-entry.cjs')(require('node:path').join(__dirname, "apps/app/src/main.js"), "main.modules.v8-cache");\n`);
}

/**
 * An app whose module `work.js` has a function run at the start (`atStart`) and one run LATE_AT ms after it (`late`);
 * with GCS set, that many full collections run right after the start (node's --expose-gc).
 */
function writeTimedApp(dir: string): void {
  mkdirSync(join(dir, 'apps', 'app', 'src'), { recursive: true });
  const body = (name: string) =>
    `exports.${name} = function ${name}(n) { let s = 0; for (let i = 0; i < n; i++) { s += (i * 3) % 11; if (s > 1e9) s = 0; } const o = { a: [1, 2], b: '${name}' }; return s + JSON.stringify(o).length + Object.keys(o).length; };`;
  writeFileSync(join(dir, 'apps', 'app', 'src', 'work.js'), `${body('atStart')}\n${body('late')}\n`);
  writeFileSync(
    join(dir, 'apps', 'app', 'src', 'main.js'),
    `const work = require('./work');
work.atStart(10);
for (let i = 0; i < Number(process.env.GCS ?? 0); i++) globalThis.gc();
if (process.env.LATE_AT) setTimeout(() => work.late(10), Number(process.env.LATE_AT));
// STOP_AT: the app's stop then (as the app's shutdown hook does), twice (the second call does nothing).
const keep = globalThis[Symbol.for('as2-partners.keep-compiled-code')];
if (process.env.STOP_AT) setTimeout(() => { keep(); keep(); }, Number(process.env.STOP_AT));
setTimeout(() => undefined, Number(process.env.LIVE_MS));`,
  );
  writeFileSync(join(dir, 'main.js'), `'use strict';\nrequire('./module-cached-entry.cjs')(require('node:path').join(__dirname, "apps/app/src/main.js"), "main.modules.v8-cache");\n`);
}

/** The bytes of V8 code the cache file holds for each module, by file name. */
function cachedCodeLengths(file: string): Record<string, number> {
  const buffer = readFileSync(file);
  const index = JSON.parse(buffer.toString('utf8', 4, 4 + buffer.readUInt32LE(0))) as { modules: [string, string, number][] };
  return Object.fromEntries(index.modules.map(([filename, , length]) => [basename(filename), length]));
}

describe('the module-cached entry of an unbundled app (tools/build/module-cached-entry.cjs)', () => {
  let dir: string;
  const start = (env: Record<string, string> = {}, nodeArgs: string[] = []) =>
    spawnSync(process.execPath, [...nodeArgs, join(dir, 'main.js')], { cwd: dir, encoding: 'utf8', env: { ...process.env, COMPILE_CACHE_AFTER_MS: '0', ...env } });
  const run = (env: Record<string, string> = {}) => {
    const result = start(env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Run;
  };
  const caches = () => readdirSync(dir).filter((name) => name.endsWith('.v8-cache'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'module-cached-entry-'));
    copyFileSync(cachedEntry, join(dir, 'module-cached-entry.cjs'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the entry as Node would, and the next start takes every module and resolution from the cache, also after the app set a V8 flag', () => {
    writeApp(dir, 'first');
    const expected = { answer: 'first', dependency: 'dep', resolved: join(dir, 'apps', 'app', 'src', 'answer.js'), exportsIsThis: true };
    const first = run();
    expect(first).toMatchObject(expected);
    if (!ownCache) return;
    // (require.resolve repeats a resolution this start made already)
    expect(first.stats).toEqual({ modulesFromCache: 0, modulesCompiled: 3, resolutionsFromCache: 1 });
    expect(caches()).toEqual(['main.modules.v8-cache']);
    const second = run();
    expect(second).toMatchObject(expected);
    // V8 takes the code compiled under the flag the app set: the flag is set again before anything loads.
    expect(second.stats).toEqual({ modulesFromCache: 3, modulesCompiled: 0, resolutionsFromCache: 4 }); // three requires, one require.resolve
  });

  (ownCache ? it : it.skip)('takes the cache whatever directory the process runs in, and not after the package-lock.json above the build changed', () => {
    writeApp(dir, 'anywhere');
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3}');
    expect(run().stats).toMatchObject({ modulesFromCache: 0, modulesCompiled: 3 });
    const elsewhere = mkdtempSync(join(tmpdir(), 'module-cached-entry-cwd-'));
    try {
      const fromElsewhere = spawnSync(process.execPath, [join(dir, 'main.js')], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, COMPILE_CACHE_AFTER_MS: '0' } });
      expect((JSON.parse(fromElsewhere.stdout) as Run).stats).toMatchObject({ modulesFromCache: 3, modulesCompiled: 0 });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    // Another install (another lockfile): node_modules may differ, so neither code nor resolutions are taken.
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    expect(run().stats).toEqual({ modulesFromCache: 0, modulesCompiled: 3, resolutionsFromCache: 1 });
  });

  (ownCache ? it : it.skip)('takes no resolution after an install changed node_modules, also with no package-lock.json above the build (a copied build)', () => {
    writeApp(dir, 'copied');
    writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{"lockfileVersion":3}');
    run();
    expect(run().stats).toMatchObject({ modulesFromCache: 3, modulesCompiled: 0 });
    // npm rewrote its hidden lockfile: a package may have moved (a nested copy hoisted), so the resolutions are not taken.
    writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{"lockfileVersion":3,"packages":{"node_modules/dep":{}}}');
    expect(run().stats).toEqual({ modulesFromCache: 0, modulesCompiled: 3, resolutionsFromCache: 1 });
  });

  it("runs a module's import() on every start, the one from the cache too (OpenTelemetry's exporter imports node:http so)", () => {
    writeApp(dir, 'dynamic');
    // A module of the app that imports at run time, as @opentelemetry/otlp-exporter-base does for its HTTP agent.
    writeFileSync(join(dir, 'node_modules', 'dep', 'lib.js'), `exports.name = 'dep'; exports.agent = () => import('node:http').then((http) => typeof http.Agent);`);
    writeFileSync(
      join(dir, 'apps', 'app', 'src', 'main.js'),
      `require('dep').agent().then((agent) => process.stdout.write(JSON.stringify({ agent, stats: globalThis[Symbol.for('as2-partners.module-cache')] })), (error) => process.stdout.write(JSON.stringify({ error: error.code ?? String(error) })));
setTimeout(() => undefined, 100);`,
    );
    for (let i = 0; i < 2; i++) {
      const result = start();
      expect([result.status, result.stderr, JSON.parse(result.stdout)]).toEqual([0, '', expect.objectContaining({ agent: 'function' })]);
    }
    // The module holding import() is Node's to compile; the others still come from the cache.
    if (ownCache) expect((JSON.parse(start().stdout) as Run).stats).toMatchObject({ modulesFromCache: 1, modulesCompiled: 1 });
  });

  it('never runs the cached code of an earlier text of the same length (V8 checks only the length)', () => {
    writeApp(dir, 'AAAA');
    expect(run().answer).toBe('AAAA');
    writeFileSync(join(dir, 'apps', 'app', 'src', 'answer.js'), `exports.answer = "BBBB";`);
    const changed = run();
    expect(changed.answer).toBe('BBBB');
    if (ownCache) expect(changed.stats).toMatchObject({ modulesFromCache: 2, modulesCompiled: 1 });
  });

  it("keeps the cache in the user's own temp directory when it cannot be written beside the entry, and never reads one there that others can write", () => {
    writeApp(dir, 'temp');
    // A directory where the cache file would go: it can be neither written nor read there, whoever runs the test.
    mkdirSync(join(dir, 'main.modules.v8-cache'));
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const env = { TMPDIR: tmp };
    expect(run(env).answer).toBe('temp');
    if (!ownCache) return;
    const own = readdirSync(tmp);
    expect(own).toEqual([`as2-partners-v8-cache-${process.getuid?.() ?? 'user'}`]);
    expect(run(env).stats).toMatchObject({ modulesFromCache: 3, modulesCompiled: 0 });
    // Another user could now plant code there: the directory is not used at all.
    chmodSync(join(tmp, own[0] as string), 0o777);
    expect(run(env).stats).toEqual({ modulesFromCache: 0, modulesCompiled: 3, resolutionsFromCache: 1 });
  });

  (ownCache ? it : it.skip)('keeps the code of a function run at the start even when V8 would have flushed it before the cache was written', () => {
    writeTimedApp(dir);
    const codeAfter = (gcs: number) => {
      rmSync(join(dir, 'main.modules.v8-cache'), { force: true });
      // --stress-flush-code: every full collection drops the bytecode of functions not running (as many do over time)
      const result = start({ COMPILE_CACHE_AFTER_MS: '50', LIVE_MS: '200', GCS: String(gcs) }, ['--expose-gc', '--stress-flush-code']);
      expect(result.stderr).toBe('');
      return cachedCodeLengths(join(dir, 'main.modules.v8-cache'))['work.js'];
    };
    const untouched = codeAfter(0);
    expect(codeAfter(3)).toBe(untouched);
  });

  (ownCache ? it : it.skip)('writes the cache again once later when the code compiled since the first write adds to it, and not when nothing does', () => {
    writeTimedApp(dir);
    const cacheFile = join(dir, 'main.modules.v8-cache');
    // the first write at once, the refresh 300 ms after the start, the late function run at 100 ms
    const env = { COMPILE_CACHE_AFTER_MS: '0', COMPILE_CACHE_REFRESH_AFTER_MS: '300', LIVE_MS: '600' };
    expect(start({ ...env, LIVE_MS: '100' }).status).toBe(0);
    const atStart = cachedCodeLengths(cacheFile)['work.js'] as number;
    expect(start({ ...env, LATE_AT: '100' }).status).toBe(0);
    const withLate = cachedCodeLengths(cacheFile)['work.js'] as number;
    expect(withLate).toBeGreaterThan(atStart);
    // All from the cache and nothing new run: the refresh leaves the file as it is.
    const written = readFileSync(cacheFile);
    expect(start(env).status).toBe(0);
    expect(readFileSync(cacheFile).equals(written)).toBe(true);
  });

  (ownCache ? it : it.skip)("writes the cache again at the app's stop when the code compiled since adds to it, and not when nothing does", () => {
    writeTimedApp(dir);
    const cacheFile = join(dir, 'main.modules.v8-cache');
    // the first write at once, no refresh while the process lives: only the stop can keep the late function
    const env = { COMPILE_CACHE_AFTER_MS: '0', COMPILE_CACHE_REFRESH_AFTER_MS: '60000', LIVE_MS: '400' };
    expect(start({ ...env, LIVE_MS: '100' }).status).toBe(0);
    const atStart = cachedCodeLengths(cacheFile)['work.js'] as number;
    expect(start({ ...env, LATE_AT: '100' }).status).toBe(0);
    expect(cachedCodeLengths(cacheFile)['work.js']).toBe(atStart);
    expect(start({ ...env, LATE_AT: '100', STOP_AT: '200' }).status).toBe(0);
    expect(cachedCodeLengths(cacheFile)['work.js']).toBeGreaterThan(atStart);
    // Nothing new run before the stop: the file stays as it is.
    const written = readFileSync(cacheFile);
    expect(start({ ...env, STOP_AT: '200' }).status).toBe(0);
    expect(readFileSync(cacheFile).equals(written)).toBe(true);
  });

  it('with MODULE_CACHE=0 loads as Node does, and lets a module import() another', () => {
    writeApp(dir, 'plain');
    const plain = run({ MODULE_CACHE: '0' });
    expect(plain).toMatchObject({ answer: 'plain', dependency: 'dep', exportsIsThis: true });
    expect(plain.stats).toBeUndefined();
    expect(caches()).toEqual([]);
    writeFileSync(join(dir, 'apps', 'app', 'src', 'main.js'), `import('node:os').then((os) => process.stdout.write(JSON.stringify({ tmpdir: typeof os.tmpdir })));`);
    const result = start();
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ tmpdir: 'function' });
  });
});
