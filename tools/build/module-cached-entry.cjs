'use strict';
// Runs an app's entry from tsc's output (unbundled, the default build) with V8's compiled code of every module and the
// resolved path of every require kept between starts, in one file beside the entry (or, when that cannot be written,
// in a directory of this user's under the OS temp directory that no one else can write): a start then neither compiles ~2,400 modules again nor searches node_modules for each require
// (together ~0.5 s of a start's ~1 s of module loading). tools/build/bundle-app.mjs copies it beside the entries and
// writes each entry as `require('./module-cached-entry.cjs')(<compiled entry>, <cache name>)`.
// Safe against stale files: a module's code cache is used only for the same text (SHA-1 of it; V8 itself checks only the
// length), and the resolutions only for the same package-lock.json and the same build (the build removes this
// directory). V8 refuses code cached under other flags: the V8 flags the app sets at run time (the all-in-one's heap
// growth) are recorded with the cache and set again before the next start loads anything.
// Node >= 22.1 keeps compiled code itself (module.enableCompileCache) and is left to do so.
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');

/** Long enough for the start-up (and its lazily compiled functions) to be over; the timer never holds the process. */
const CACHE_AFTER_MS = Number(process.env.COMPILE_CACHE_AFTER_MS ?? 10_000);
const FORMAT = 'as2-partners module cache 1';

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
  let lockStamp = 'none';
  try {
    const lock = fs.statSync(path.join(process.cwd(), 'package-lock.json'));
    lockStamp = `${lock.size}:${lock.mtimeMs}`;
  } catch {
    // No lockfile where the process runs: the build directory alone decides.
  }
  const cache = readCache(candidates, lockStamp) ?? { modules: new Map(), resolutions: new Map(), flags: [] };
  const scripts = new Map();
  let missed = 0;
  /** What this start took from the cache (read by tests and benchmarks). */
  const stats = { modulesFromCache: 0, modulesCompiled: 0, resolutionsFromCache: 0 };
  globalThis[Symbol.for('as2-partners.module-cache')] = stats;
  const v8 = require('node:v8');
  const setFlags = v8.setFlagsFromString;
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

  Module.prototype._compile = function (content, filename) {
    const hash = crypto.createHash('sha1').update(content).digest('base64');
    const kept = cache.modules.get(filename);
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData: kept !== undefined && kept.hash === hash ? kept.data : undefined,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (kept === undefined || kept.hash !== hash || script.cachedDataRejected) {
      missed += 1;
      stats.modulesCompiled += 1;
    } else {
      stats.modulesFromCache += 1;
    }
    scripts.set(filename, { script, hash });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireOf(this), this, filename, path.dirname(filename));
  };

  setTimeout(() => {
    if (missed === 0) return scripts.clear();
    const kept = [...scripts];
    scripts.clear();
    const modules = [];
    const blobs = [];
    // 100 modules' code per turn (~10 ms), so a process serving requests is never held long.
    const slice = () => {
      for (const [filename, { script, hash }] of kept.splice(0, 100)) {
        const data = script.createCachedData();
        modules.push([filename, hash, data.length]);
        blobs.push(data);
      }
      if (kept.length > 0) return void setImmediate(slice).unref();
      // Built-ins, this build and node_modules only (never a resolution into a temporary directory).
      const resolutions = [...cache.resolutions].filter(([, file]) => !path.isAbsolute(file) || file.startsWith(__dirname) || file.includes(`${path.sep}node_modules${path.sep}`));
      writeCache(candidates, { format: FORMAT, node: process.version, lock: lockStamp, flags: flagsSet, modules, resolutions }, blobs);
    };
    slice();
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
