import { connect, createServer, type AddressInfo, type Server } from 'node:net';

/** A local address nothing listens on until `open()`, which then forwards it to `target` (`host:port`). */
export interface LateTcpForward {
  readonly address: string;
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A server that comes up after its client: a free port that refuses connections until `open()` forwards it to `target`
 * (a Kafka broker, whose metadata then names its own address: Kafka starting after the service).
 */
export async function lateTcpForward(target: string): Promise<LateTcpForward> {
  const [host, port] = target.split(':');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const latePort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  let forward: Server | null = null;
  return {
    address: `127.0.0.1:${latePort}`,
    open: async () => {
      const server = createServer((client) => {
        const upstream = connect(Number(port), host as string);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      forward = server;
      await new Promise<void>((resolve) => server.listen(latePort, '127.0.0.1', resolve));
    },
    close: () => new Promise<void>((resolve) => (forward ? forward.close(() => resolve()) : resolve())),
  };
}
