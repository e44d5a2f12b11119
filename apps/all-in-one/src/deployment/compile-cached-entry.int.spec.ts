import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');
const entry = join(root, 'tools', 'build', 'compile-cached-entry.cjs');
/** Node 22.1+ keeps the cache itself (module.enableCompileCache); older Node uses the entry's own cache files. */
const ownCache = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache !== 'function';

/** A bundle of the shape esbuild writes: CommonJS, requiring built-ins; stays up 100 ms so the cache is written. */
const bundleSource = (answer: string) => `
const { join } = require('node:path');
process.stdout.write(JSON.stringify({ answer: ${JSON.stringify(answer)}, file: join(__dirname, require('node:path').basename(__filename)), exportsIsThis: module.exports === exports }));
setTimeout(() => undefined, 100);
`;

describe('the compile-cached entry of a bundled app (tools/build/compile-cached-entry.cjs)', () => {
  let dir: string;
  const start = () => spawnSync(process.execPath, [join(dir, 'main.js')], { encoding: 'utf8', env: { ...process.env, COMPILE_CACHE_AFTER_MS: '0' } });
  const run = () => {
    const result = start();
    // Nothing on stderr: a start writes only the app's JSON log lines.
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as { answer: string; file: string; exportsIsThis: boolean };
  };
  const caches = () => readdirSync(dir).filter((name) => name.endsWith('.v8-cache'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'compile-cached-entry-'));
    copyFileSync(entry, join(dir, 'main.js'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs main.bundle.js as a CommonJS module, from its cache on the next start', () => {
    writeFileSync(join(dir, 'main.bundle.js'), bundleSource('first'));
    expect(run()).toEqual({ answer: 'first', file: join(dir, 'main.bundle.js'), exportsIsThis: true });
    if (ownCache) expect(caches()).toHaveLength(1);
    expect(run()).toEqual({ answer: 'first', file: join(dir, 'main.bundle.js'), exportsIsThis: true });
  });

  it('never runs the cached code of an earlier bundle of the same length (V8 checks only the length)', () => {
    writeFileSync(join(dir, 'main.bundle.js'), bundleSource('AAAA'));
    expect(run().answer).toBe('AAAA');
    writeFileSync(join(dir, 'main.bundle.js'), bundleSource('BBBB'));
    expect(run().answer).toBe('BBBB');
    if (ownCache) expect(caches()).toHaveLength(2);
  });

  it('takes the cached code on the next start also after the bundle set a V8 flag (V8 refuses code cached under other flags)', () => {
    writeFileSync(
      join(dir, 'main.bundle.js'),
      `require('node:v8').setFlagsFromString('--heap-growing-percent=50');
process.stdout.write(JSON.stringify({ answer: 'flagged', file: __filename, exportsIsThis: module.exports === exports }));
setTimeout(() => undefined, 100);`,
    );
    expect(run().answer).toBe('flagged');
    if (!ownCache) return;
    const [cache] = caches();
    const mtime = statSync(join(dir, cache as string)).mtimeMs;
    expect(run().answer).toBe('flagged');
    // A rejected cache is written again after the start: this one was taken.
    expect(caches()).toEqual([cache]);
    expect(statSync(join(dir, cache as string)).mtimeMs).toBe(mtime);
  });

  (ownCache ? it : it.skip)("writes the cache again at the app's stop when the code compiled since adds to it, and not when nothing does", () => {
    // `late` is compiled only when LATE is set, after the cache's first write; the stop then calls the entry's writer.
    const late = Array.from({ length: 40 }, (_, i) => `s += JSON.stringify({ k${i}: [i, ${i}], t: 'late ${i}' }).length;`).join(' ');
    writeFileSync(
      join(dir, 'main.bundle.js'),
      `function late(n) { let s = 0; for (let i = 0; i < n; i++) { ${late} } return s; }
process.stdout.write(JSON.stringify({ answer: 'late', file: __filename, exportsIsThis: module.exports === exports }));
setTimeout(() => { if (process.env.LATE) late(3); globalThis[Symbol.for('as2-partners.keep-compiled-code')](); }, 50);`,
    );
    run();
    const [cache] = caches();
    const file = join(dir, cache as string);
    const atStart = statSync(file).size;
    run();
    expect(statSync(file).size).toBe(atStart);
    process.env.LATE = '1';
    try {
      run();
    } finally {
      delete process.env.LATE;
    }
    expect(statSync(file).size).toBeGreaterThan(atStart);
  });

  it('lets the bundle import() a module (Nest loads ESM-only packages so)', () => {
    writeFileSync(join(dir, 'main.bundle.js'), `import('node:os').then((os) => process.stdout.write(JSON.stringify({ tmpdir: typeof os.tmpdir })));`);
    const result = start();
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ tmpdir: 'function' });
  });
});
