// What the process benchmarks (start, idle CPU, memory) ask of the machine: a free port, a child's CPU time.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port nothing listens on right now (on 127.0.0.1). */
export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** utime + stime of a process in ms (Linux). */
export function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
