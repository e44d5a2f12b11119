import { createServer, type AddressInfo } from 'node:net';

/** A port the system just handed out, free on every interface: for a PORT that must be 1–65535 (startHttpServer's). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '0.0.0.0', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}
