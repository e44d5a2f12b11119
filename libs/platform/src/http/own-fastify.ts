import { createRequire } from 'node:module';
import { sep } from 'node:path';
import type Fastify from 'fastify';

const NODE_MODULES = `${sep}node_modules${sep}`;

/** The hot paths' copy, loaded by the first app of the process. */
let ownCopy: typeof Fastify | undefined;

/**
 * Fastify loaded once more, with its dependencies, for the hot-path routes only. V8 keeps what it learnt about the
 * objects a function handled per function: with one copy, Fastify's functions also handle the app's instance (Nest's
 * decorated requests, its hooks and plugins) and run the hot path slower (a second instance that had served requests
 * added 6–16 µs of CPU per decision in the traffic bench). The require cache is left as it was. One such copy serves
 * every app of the process: the hot paths of the warm-up's throwaway app (warmUpOnThrowawayApp) and of the real one run
 * the same functions, so the real one's first reads run warm code, and an app's start does not load Fastify again.
 */
export function loadOwnFastify(): typeof Fastify {
  ownCopy ??= loadAnotherCopy();
  return ownCopy;
}

function loadAnotherCopy(): typeof Fastify {
  const load = createRequire(__filename);
  const cache = load.cache;
  const kept = new Map<string, NodeJS.Module>();
  for (const key of Object.keys(cache)) {
    const loaded = cache[key];
    if (loaded && key.includes(NODE_MODULES)) {
      kept.set(key, loaded);
      delete cache[key];
    }
  }
  try {
    return load('fastify') as typeof Fastify;
  } finally {
    for (const key of Object.keys(cache)) if (key.includes(NODE_MODULES)) delete cache[key];
    for (const [key, loaded] of kept) cache[key] = loaded;
  }
}
