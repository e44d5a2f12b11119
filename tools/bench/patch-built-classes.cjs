// For the benchmarks' preloads (write-path-only.cjs, read-side-apart.cjs): replaces methods of the built app's classes
// as their modules load. Each patch is [class name, 'prototype' | 'static', method, replace(original) => method]; a
// patch applies once, to the first loaded module exporting a class of that name with that method. At SIGTERM (after
// the run) the preload says on stderr which patches found nothing: the build changed and the benchmark measured it
// unpatched.
const Module = require('node:module');

exports.patchBuiltClasses = (preload, patches) => {
  const applied = new Set();
  const load = Module._load;
  Module._load = function loadAndPatch(...args) {
    const exported = load.apply(this, args);
    for (const patch of patches) {
      const [className, where, method, replace] = patch;
      const target = where === 'static' ? exported?.[className] : exported?.[className]?.prototype;
      if (applied.has(patch) || typeof target?.[method] !== 'function') continue;
      target[method] = replace(target[method]);
      applied.add(patch);
    }
    return exported;
  };
  process.once('SIGTERM', () => {
    const missed = patches.filter((patch) => !applied.has(patch)).map(([className, , method]) => `${className}.${method}`);
    if (missed.length > 0) process.stderr.write(`${preload}: ${missed.join(', ')} not found: the build changed\n`);
  });
};
