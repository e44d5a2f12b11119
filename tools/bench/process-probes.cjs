// What the benchmarks that start processes ask of the machine: a free port, a process's CPU time. CommonJS, so both
// the .mjs benchmarks (named imports) and the TypeScript ones (run as CommonJS) use this one copy (types: .d.cts).
const { readFileSync } = require('node:fs');
const { createServer } = require('node:net');

/** A TCP port nothing listens on right now (on 127.0.0.1). */
exports.freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** utime + stime of a process in ms (Linux, /proc/<pid>/stat, 10 ms ticks). */
exports.cpuMsOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

/** The same in seconds. */
exports.cpuSecondsOf = (pid) => exports.cpuMsOf(pid) / 1000;

/**
 * CPU ms of a process's main thread alone (its JavaScript and what runs on the event loop; not its other threads: GC
 * helpers, libuv's pool, worker threads). With work moved to other threads this, not the process's CPU, bounds the
 * rate one event loop serves.
 */
exports.mainThreadMsOf = (pid) => Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

/**
 * Resolves, with the ms it waited, once a process has used at most `maxShare` of one core over `idleMs` (the work a
 * start leaves for after ready, such as the traffic refill and the partner details' walk, is over), or after
 * `maxWaitMs` whatever it does.
 */
exports.untilIdle = async (pid, { idleMs = 1_000, maxShare = 0.05, maxWaitMs = 180_000 } = {}) => {
  const started = performance.now();
  for (;;) {
    const before = exports.cpuMsOf(pid);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    if (exports.cpuMsOf(pid) - before <= idleMs * maxShare || performance.now() - started >= maxWaitMs) return performance.now() - started;
  }
};

/**
 * Resolves once the app at `base` answers /health/ready with 2xx, asking every `pollMs`; rejects when `child` (its
 * process) exited first.
 */
exports.untilReady = async (base, child, { label = 'the app', pollMs = 50 } = {}) => {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label}: the app exited before it was ready`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
};

/**
 * Runs this process's own fetch() of a JSON POST a few times against a server of its own (node:http, answering 204),
 * so that a benchmark's first measured create does not count the client's first POST: undici compiles its body path
 * then (7–17 ms against 2–6 for a later POST to a bare server, on this machine), and a restart's "first create"
 * would charge that to the server.
 */
exports.warmClientPosts = async (times = 5) => {
  const server = require('node:http').createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${server.address().port}`;
    for (let i = 0; i < times; i++) {
      const body = JSON.stringify({ name: `warm-${i}`, as2_id: `WARM-${i}`, url: `https://warm-${i}.example.com/as2` });
      await (await fetch(`${base}/v1/partners`, { method: 'POST', headers: { authorization: 'Bearer warm', 'content-type': 'application/json' }, body })).text();
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
};
