'use strict';
// An app's entry (tools/build/bundle-app.mjs copies it to dist/apps/<app>/<entry>.js): runs <entry>.bundle.js with V8's
// compiled code kept between starts, so a start does not parse and compile the 8–10 MB bundle again (~0.3 s of CPU).
// Node 22.1+ does this itself (module.enableCompileCache). On Node 20 the bundle is compiled through vm.Script with a
// code cache named after a hash of the bundle's text (V8 checks only the source's length), beside the bundle or, when
// that directory is read-only, in a directory of this user's under the OS temp directory that no one else can write; written once the start-up's functions have been compiled.
// V8 refuses code cached under other flags: the V8 flags the app sets at run time (the all-in-one's heap growth) are
// kept beside the cache (<cache>.flags) and set again before the next start compiles the bundle.
// At the app's stop (it calls `globalThis[Symbol.for('as2-partners.keep-compiled-code')]()`) the cache is written again
// when the code compiled since (work done only after the start, e.g. a create) adds 1 % to it.
const Module = require('node:module');
const path = require('node:path');

const bundle = __filename.replace(/\.js$/, '.bundle.js');
/** Long enough for the start-up (and its lazily compiled functions) to be over; the timer never holds the process. */
const CACHE_AFTER_MS = Number(process.env.COMPILE_CACHE_AFTER_MS ?? 10_000);

/**
 * A directory of this user's under the OS temp directory that no one else can write, or null: a cache is run as code
 * (and a resolution names the file to run), so one in a place another user can write is never read.
 */
function privateTempDir() {
  const dir = path.join(require('node:os').tmpdir(), `as2-partners-v8-cache-${process.getuid?.() ?? 'user'}`);
  try {
    require('node:fs').mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = require('node:fs').lstatSync(dir);
    if (stat.isDirectory() && (process.getuid === undefined || stat.uid === process.getuid()) && (stat.mode & 0o022) === 0) return dir;
  } catch {
    // No such directory to be had: the cache stays beside the entry or nowhere.
  }
  return null;
}

function cacheCandidates(hash) {
  const name = `${path.basename(bundle)}.${hash}.v8-cache`;
  const tempDir = privateTempDir();
  return [path.join(path.dirname(bundle), name), ...(tempDir ? [path.join(tempDir, name)] : [])];
}

function writeCache(candidates, data, flags) {
  const fs = require('node:fs');
  for (const file of candidates) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(`${file}.flags`, JSON.stringify(flags));
      // Renamed into place, so a process starting meanwhile reads a whole cache or none.
      const partial = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(partial, data);
      fs.renameSync(partial, file);
      return;
    } catch {
      // Not writable here: the next candidate.
    }
  }
}

function runWithCodeCache() {
  const fs = require('node:fs');
  const vm = require('node:vm');
  const source = fs.readFileSync(bundle, 'utf8');
  const candidates = cacheCandidates(require('node:crypto').createHash('sha256').update(source).digest('hex').slice(0, 16));
  let cachedData;
  const v8 = require('node:v8');
  const setFlags = v8.setFlagsFromString;
  // As module-cached-entry.cjs: no function's bytecode dropped before the cache is written (and the same flags each start).
  setFlags('--no-flush-bytecode');
  for (const file of candidates) {
    try {
      cachedData = fs.readFileSync(file);
      for (const flags of JSON.parse(fs.readFileSync(`${file}.flags`, 'utf8'))) setFlags(flags);
      break;
    } catch {
      // No cache there (or no flags beside it).
    }
  }
  const flagsSet = [];
  v8.setFlagsFromString = (flags) => {
    flagsSet.push(flags);
    return setFlags(flags);
  };
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const bundleModule = new Module(bundle, module);
  bundleModule.filename = bundle;
  bundleModule.paths = Module._nodeModulePaths(path.dirname(bundle));
  let cachedLength = cachedData === undefined || script.cachedDataRejected ? 0 : cachedData.length;
  if (cachedLength === 0) {
    setTimeout(() => {
      const data = script.createCachedData();
      writeCache(candidates, data, flagsSet);
      cachedLength = data.length;
    }, CACHE_AFTER_MS).unref();
  }
  let kept = false;
  globalThis[Symbol.for('as2-partners.keep-compiled-code')] = () => {
    if (kept) return;
    kept = true;
    const data = script.createCachedData();
    if (data.length >= cachedLength * 1.01) writeCache(candidates, data, flagsSet);
  };
  script.runInThisContext().call(bundleModule.exports, bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, path.dirname(bundle));
  bundleModule.loaded = true;
}

if (typeof Module.enableCompileCache === 'function') {
  Module.enableCompileCache();
  require(bundle);
} else {
  runWithCodeCache();
}
