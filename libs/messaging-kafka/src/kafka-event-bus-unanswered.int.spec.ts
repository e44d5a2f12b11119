import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { uniqueTopic } from '@as2-partners/kernel-testing';
import { KafkaEventBus } from './kafka-event-bus';

const quiet = { warn: () => undefined, error: () => undefined };

/**
 * No broker at all: one that takes connections and never answers (hung, or a black hole), and an address nothing
 * listens on. A service must start, serve and stop in time whatever Kafka does; these need no Kafka to run.
 */
describe('KafkaEventBus when no broker answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let silentAddress: string;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentAddress = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a broker that takes connections and answers nothing: connect goes on in the background after connectTimeoutMs (kafkajs alone waits ~60 s), and a subscription and the bus stop within closeTimeoutMs', async () => {
    const warnings: string[] = [];
    const bus = await KafkaEventBus.connect({
      brokers: [silentAddress],
      clientId: 'silent-broker',
      connectInBackground: true,
      connectTimeoutMs: 300,
      closeTimeoutMs: 300,
      reconnectInitialDelayMs: 100,
      logger: { warn: (message) => void warnings.push(message), error: () => undefined },
    });
    expect(bus.isConnected).toBe(false);
    expect(warnings[0]).toContain('no broker answered within 300 ms');
    const subscription = await bus.subscribe({ groupId: `silent-${randomUUID()}`, topics: [uniqueTopic()], handler: async () => undefined });
    await subscription.stop();
    await bus.close();
  }, 20_000);

  it('nothing listening: a subscription asked for while connecting in the background stops at once, before the bus closes (it waited for a connection that never came)', async () => {
    const bus = await KafkaEventBus.connect({ brokers: ['127.0.0.1:1'], clientId: 'refused-broker', connectInBackground: true, reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 100, logger: quiet });
    const subscription = await bus.subscribe({ groupId: `refused-${randomUUID()}`, topics: [uniqueTopic()], handler: async () => undefined });
    // Background attempts keep failing meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await subscription.stop();
    await bus.close();
    expect(bus.isConnected).toBe(false);
  }, 20_000);
});
