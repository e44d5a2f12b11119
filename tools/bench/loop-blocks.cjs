'use strict';
// Preloaded into a benchmarked process (node -r): a 5 ms ticker records every turn of the event loop that held it
// longer than 50 ms (wall ms, the process's CPU ms in that gap, when it ended in ms since the process began) and writes
// them as JSON to LOOP_BLOCKS_FILE on SIGTERM (Nest's shutdown hooks end the process by the signal again: no 'exit'). The CPU figure tells a block the process caused from one the machine's load
// caused (the process descheduled). restart.bench.mjs reads it to report the longest block after ready.
const { writeFileSync } = require('node:fs');
const file = process.env.LOOP_BLOCKS_FILE;
if (file) {
  const blocks = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const wall = now - last;
    if (wall > 50) blocks.push({ at: Math.round(now), wallMs: Math.round(wall), cpuMs: Math.round((cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000) });
    last = now;
    lastCpu = cpu;
  }, 5).unref();
  const write = () => writeFileSync(file, JSON.stringify(blocks));
  process.once('SIGTERM', write);
  process.once('exit', write);
}
