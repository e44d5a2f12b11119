'use strict';
// Preloaded into a benchmarked process (node -r): a 5 ms ticker records every turn of the event loop that held it
// longer than 50 ms: its wall ms, the main thread's CPU ms in that gap (Linux: /proc/self/task/<pid>/stat, 10 ms ticks;
// elsewhere the whole process's, GC helper threads included) and when it ended (ms since the process began). The CPU
// figure tells a block the process caused from one the machine's load caused (the process descheduled). Written as JSON
// to LOOP_BLOCKS_FILE on SIGTERM (Nest's shutdown hooks end the process by the signal again: no 'exit').
// restart.bench.mjs reads it to report the longest block after ready.
const { readFileSync, writeFileSync } = require('node:fs');
const file = process.env.LOOP_BLOCKS_FILE;
if (file) {
  const stat = `/proc/self/task/${process.pid}/stat`;
  /** CPU ms of the main thread (utime + stime, in 10 ms clock ticks), or of the process where /proc has no such file. */
  const mainThreadCpuMs = (() => {
    try {
      readFileSync(stat, 'utf8');
      return () => {
        const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) * 10;
      };
    } catch {
      return () => {
        const usage = process.cpuUsage();
        return (usage.user + usage.system) / 1000;
      };
    }
  })();
  const blocks = [];
  let last = performance.now();
  let lastCpu = mainThreadCpuMs();
  setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    const wall = now - last;
    if (wall > 50) blocks.push({ at: Math.round(now), wallMs: Math.round(wall), cpuMs: Math.round(cpu - lastCpu) });
    last = now;
    lastCpu = cpu;
  }, 5).unref();
  const write = () => writeFileSync(file, JSON.stringify(blocks));
  process.once('SIGTERM', write);
  process.once('exit', write);
}
