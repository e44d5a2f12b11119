// Preload for create-cpu.bench.mjs (CREATE_READ_SIDE_APART_<label>=1): the second process of a split app, the read side
// on a core of its own. It runs the whole built app on a data directory whose `events.sqlite` is the writing app's
// (a symbolic link), takes no request, and follows what the writer appends. The writer's wakes do not cross processes,
// so its event store polls every READ_SIDE_APART_POLL_MS (5 ms) instead of 5 s. Benchmarks only: two processes share
// no cache, so this side reads every event from the file (the one-process app hands its followers the events it just
// wrote), and it answers no read-your-writes wait.
const { patchBuiltClasses } = require('./patch-built-classes.cjs');

const pollIntervalMs = Number(process.env.READ_SIDE_APART_POLL_MS ?? 5);

patchBuiltClasses('read-side-apart.cjs', [
  ['SqliteEventStore', 'static', 'open', (open) => function openPolling(file, options = {}) {
    return open.call(this, file, { ...options, pollIntervalMs });
  }],
]);
