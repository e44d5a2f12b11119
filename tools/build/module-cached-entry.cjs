'use strict';
// Runs an app's entry from tsc's output (unbundled, the default build) with V8's compiled code of every module and the
// resolved path of every require kept between starts, in one file beside the entry (or, when that cannot be written,
// in a directory of this user's under the OS temp directory that no one else can write): a start then neither compiles ~2,400 modules again nor searches node_modules for each require
// (together ~0.5 s of a start's ~1 s of module loading). tools/build/bundle-app.mjs copies it beside the entries and
// writes each entry as `require('./module-cached-entry.cjs')(<compiled entry>, <cache name>)`.
// Safe against stale files: a module's code cache is used only for the same text (SHA-1 of it; V8 itself checks only the
// length), and the resolutions only for the same package-lock.json and node_modules/.package-lock.json (the ones above the build) and the same build (the build removes this
// directory). V8 refuses code cached under other flags: the V8 flags the app sets at run time (the all-in-one's heap
// growth) are recorded with the cache and set again before the next start loads anything; flags given on the command
// line (npm start's, tools/dev/app-node-options.cjs) count too, so a start with other ones compiles again and rewrites it.
// The cache holds the code of every function run by the time it is written (10 s after a start that compiled a module;
// again 60 s after the start, and once more when the app stops (it calls `globalThis[Symbol.for(KEEP)]()`), each time
// only when the code compiled since, e.g. the first create's, adds 1 %), V8's bytecode flushing off meanwhile so nothing
// run at the start is dropped before. The write at the stop is what keeps the code of work a process did only once it
// had run a while (a create an hour after the start): the next start then runs it from bytecode, not from source.
// Node >= 22.1 keeps compiled code itself (module.enableCompileCache) and is left to do so.
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');

/** Long enough for the start-up (and its lazily compiled functions) to be over; the timer never holds the process. */
const CACHE_AFTER_MS = Number(process.env.COMPILE_CACHE_AFTER_MS ?? 10_000);
/**
 * Once more, this long after a start: the code compiled since (the first create's path, when the cache was written
 * before any create) is kept too, when it adds at least REFRESH_GROWTH to the cache. Once a process.
 */
const CACHE_REFRESH_AFTER_MS = Number(process.env.COMPILE_CACHE_REFRESH_AFTER_MS ?? 60_000);
const REFRESH_GROWTH = 1.01;
/** Modules whose code is produced in one turn of the event loop (~2 ms), so a process serving requests is never held long. */
const MODULES_PER_TURN = 25;
/** A module text that may call `import()` (a word `import` before a parenthesis: a comment or a string too, which costs only its caching). */
const DYNAMIC_IMPORT = /\bimport\s*\(/;
/**
 * V8 drops the bytecode of a function that has not run for a few full collections (bytecode flushing): a start whose
 * work after ready ran many of them (the traffic refill at 1,000,000 partners) had dropped most of the start-up's code
 * by the time the cache was written (3.4 MB kept instead of 6.9; the next start compiled it again, ready +0.2–0.6 s at
 * 200,000 partners). Not flushed, the process holds the bytecode of every function it ran (a few MB).
 */
const KEEP_BYTECODE = '--no-flush-bytecode';
const FORMAT = 'as2-partners module cache 1';
/** Where the app finds the function that writes the cache at its stop (synchronously; it serves nothing more then). */
const KEEP = 'as2-partners.keep-compiled-code';

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

function readCache(candidates, lockStamp) {
  for (const file of candidates) {
    try {
      const buffer = fs.readFileSync(file);
      const indexLength = buffer.readUInt32LE(0);
      const index = JSON.parse(buffer.toString('utf8', 4, 4 + indexLength));
      if (index.format !== FORMAT || index.node !== process.version || index.lock !== lockStamp) return null;
      const modules = new Map();
      let offset = 4 + indexLength;
      for (const [filename, hash, length] of index.modules) {
        modules.set(filename, { hash, data: buffer.subarray(offset, offset + length) });
        offset += length;
      }
      return { modules, resolutions: new Map(index.resolutions), flags: index.flags };
    } catch {
      // None there, or unreadable: the next candidate.
    }
  }
  return null;
}

function writeCache(candidates, index, blobs) {
  const text = Buffer.from(JSON.stringify(index));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(text.length, 0);
  const data = Buffer.concat([length, text, ...blobs]);
  for (const file of candidates) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
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

/**
 * What the installed packages above the build are (their node_modules are the ones the build's requires resolve into,
 * from whatever directory the process runs in): the nearest package-lock.json and the nearest node_modules/.package-lock.json
 * (npm rewrites it at every install, also where no package-lock.json is beside the build: a copied build, an image),
 * each as size and mtime; 'none' for one not found.
 */
function lockStampAbove(dir) {
  const nearest = (name) => {
    for (let current = dir; ; current = path.dirname(current)) {
      try {
        const lock = fs.statSync(path.join(current, name));
        return `${lock.size}:${lock.mtimeMs}`;
      } catch {
        if (path.dirname(current) === current) return 'none';
      }
    }
  };
  return `${nearest('package-lock.json')}|${nearest(path.join('node_modules', '.package-lock.json'))}`;
}

/** As Node's own require of a module (makeRequireFunction). */
function requireOf(mod) {
  const require = (id) => mod.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

function runWithModuleCache(entry, cacheName) {
  const vm = require('node:vm');
  const crypto = require('node:crypto');
  const tempDir = privateTempDir();
  const candidates = [path.join(__dirname, cacheName), ...(tempDir ? [path.join(tempDir, `${cacheName}.${crypto.createHash('sha1').update(__dirname).digest('hex').slice(0, 12)}`)] : [])];
  const lockStamp = lockStampAbove(__dirname);
  const cache = readCache(candidates, lockStamp) ?? { modules: new Map(), resolutions: new Map(), flags: [] };
  const scripts = new Map();
  let missed = 0;
  /** What this start took from the cache (read by tests and benchmarks). */
  const stats = { modulesFromCache: 0, modulesCompiled: 0, resolutionsFromCache: 0 };
  globalThis[Symbol.for('as2-partners.module-cache')] = stats;
  const v8 = require('node:v8');
  const setFlags = v8.setFlagsFromString;
  // Before anything is compiled: V8 takes cached code only under the flags it was produced with.
  setFlags(KEEP_BYTECODE);
  for (const flags of cache.flags) setFlags(flags);
  const flagsSet = [];
  v8.setFlagsFromString = (flags) => {
    flagsSet.push(flags);
    return setFlags(flags);
  };

  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    if (options !== undefined || isMain || !parent || !parent.filename) return resolveFilename.apply(this, arguments);
    const key = `${path.dirname(parent.filename)}\0${request}`;
    const known = cache.resolutions.get(key);
    if (known !== undefined) {
      stats.resolutionsFromCache += 1;
      return known;
    }
    const resolved = resolveFilename.apply(this, arguments);
    cache.resolutions.set(key, resolved);
    missed += 1;
    return resolved;
  };

  const nodeCompile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    // A script V8 builds from cached code loses its dynamic-import loader (Node 20: the module's `import()` then throws
    // ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, as OpenTelemetry's OTLP exporter did on every export): a module that may
    // import() is compiled by Node itself, its code not cached.
    if (DYNAMIC_IMPORT.test(content)) {
      stats.modulesCompiled += 1;
      return nodeCompile.call(this, content, filename);
    }
    const hash = crypto.createHash('sha1').update(content).digest('base64');
    const kept = cache.modules.get(filename);
    const script = new vm.Script(Module.wrap(content), { filename, cachedData: kept !== undefined && kept.hash === hash ? kept.data : undefined });
    const fromCache = kept !== undefined && kept.hash === hash && !script.cachedDataRejected;
    if (fromCache) {
      stats.modulesFromCache += 1;
    } else {
      missed += 1;
      stats.modulesCompiled += 1;
    }
    // cachedLength: the code the cache file holds for this module (compared at the refresh).
    scripts.set(filename, { script, hash, cachedLength: fromCache ? kept.data.length : 0 });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireOf(this), this, filename, path.dirname(filename));
  };

  /**
   * Produces the code of every module this process loaded, MODULES_PER_TURN a turn (all in this turn when `atOnce`),
   * then calls done with the index's modules and their blobs; the cached code of modules it has not loaded (yet) is
   * carried over.
   */
  const produce = (done, atOnce = false) => {
    const pending = [...scripts];
    const modules = [];
    const blobs = [];
    const slice = () => {
      for (const [filename, { script, hash }] of pending.splice(0, atOnce ? pending.length : MODULES_PER_TURN)) {
        const data = script.createCachedData();
        modules.push([filename, hash, data.length]);
        blobs.push(data);
      }
      if (pending.length > 0) return void setImmediate(slice).unref();
      for (const [filename, { hash, data }] of cache.modules) {
        if (scripts.has(filename)) continue;
        modules.push([filename, hash, data.length]);
        blobs.push(data);
      }
      done(modules, blobs);
    };
    slice();
  };
  const write = (modules, blobs) => {
    // Built-ins, this build and node_modules only (never a resolution into a temporary directory).
    const resolutions = [...cache.resolutions].filter(([, file]) => !path.isAbsolute(file) || file.startsWith(__dirname) || file.includes(`${path.sep}node_modules${path.sep}`));
    writeCache(candidates, { format: FORMAT, node: process.version, lock: lockStamp, flags: flagsSet, modules, resolutions }, blobs);
    for (const [filename, , length] of modules) {
      const loaded = scripts.get(filename);
      if (loaded) loaded.cachedLength = length;
    }
  };
  /** Written again when the code compiled since the last write adds at least REFRESH_GROWTH to what the file holds for the loaded modules. */
  const refresh = (atOnce = false) => {
    let before = 0;
    for (const { cachedLength } of scripts.values()) before += cachedLength;
    produce((modules, blobs) => {
      let now = 0;
      for (let i = 0; i < modules.length; i++) if (scripts.has(modules[i][0])) now += blobs[i].length;
      if (now >= before * REFRESH_GROWTH) write(modules, blobs);
    }, atOnce);
  };
  let kept = false;
  // The app's stop (once): the code it compiled since the last write, written now when it adds to the cache.
  globalThis[Symbol.for(KEEP)] = () => {
    if (kept) return;
    kept = true;
    refresh(true);
  };
  const refreshLater = () => void setTimeout(refresh, Math.max(0, CACHE_REFRESH_AFTER_MS - CACHE_AFTER_MS)).unref();
  setTimeout(() => {
    if (missed === 0) return refreshLater();
    produce((modules, blobs) => {
      write(modules, blobs);
      refreshLater();
    });
  }, CACHE_AFTER_MS).unref();

  require(entry);
}

/** Runs `entry` (a compiled module's absolute path) with the module cache named `cacheName` beside this file. */
module.exports = function run(entry, cacheName) {
  // MODULE_CACHE=0: Node's own loading, for comparison.
  if (process.env.MODULE_CACHE === '0') {
    require(entry);
  } else if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache();
    require(entry);
  } else {
    runWithModuleCache(entry, cacheName);
  }
};
