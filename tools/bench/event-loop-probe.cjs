// Preloaded into an app a benchmark starts (`node -r ./tools/bench/event-loop-probe.cjs main.js`): the event loop's
// longest block (perf_hooks.monitorEventLoopDelay) from the end of the main module's synchronous load (the first
// setImmediate; loading modules is one synchronous block of its own, counted apart), and the process's CPU time. On
// SIGWINCH (Nest's shutdown hooks take SIGUSR2) it writes {maxBlockMs, cpuMs, sinceStartMs, memory} of the window since the last report to
// $EVENT_LOOP_PROBE_FILE (memory: process.memoryUsage() in MiB, after a GC when run with --expose-gc), then starts a new window.
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');

const file = process.env.EVENT_LOOP_PROBE_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const loadStarted = performance.now();
  let loadMs = null;
  setImmediate(() => {
    loadMs = performance.now() - loadStarted;
    delay.enable();
  });
  process.on('SIGWINCH', () => {
    const cpu = process.cpuUsage();
    const maxBlockMs = delay.max / 1e6;
    if (typeof global.gc === 'function') global.gc();
    const memory = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)]));
    const report = { maxBlockMs, cpuMs: (cpu.user + cpu.system) / 1000, sinceStartMs: performance.now(), moduleLoadMs: loadMs, memory };
    delay.reset();
    writeFileSync(file, JSON.stringify(report));
  });
}
