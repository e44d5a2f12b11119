import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { busEvent, describeWithServer, eventBusContract, InMemoryParkedEventStore, lateTcpForward, uniqueTopic } from '@as2-partners/kernel-testing';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaEventBus } from './kafka-event-bus';

describeWithServer('KAFKA_BROKERS', 'KafkaEventBus', (brokers) => {
  const brokerList = brokers.split(',');
  const connect = () => KafkaEventBus.connect({ brokers: brokerList, clientId: 'as2-contract', topicPartitions: 3, retryInitialDelayMs: 20 });

  eventBusContract('KafkaEventBus', connect, { retainsEventsWhileGroupStopped: true, timeoutMs: 30_000 });

  describe('records on the wire', () => {
    let bus: KafkaEventBus;
    const kafka = new Kafka({ clientId: 'as2-wire-check', brokers: brokerList, logLevel: logLevel.NOTHING });

    beforeAll(async () => {
      bus = await connect();
    }, 30_000);
    afterAll(() => bus.close());

    it('carries CloudEvents headers, the aggregate id as key and the envelope as value', async () => {
      const topic = uniqueTopic();
      const service = topic.slice('as2.'.length, -'.events'.length);
      const event = busEvent('partner-prt_01WIRE', 4, 1234);
      const accountLevel = busEvent('tenant-ten_01WIRE', 0, 1235, {
        type: 'tenant.created.v1',
        metadata: { ...event.metadata, tenant: null, causationId: null, actor: { type: 'service', id: 'provisioning' } },
      });
      await bus.publish(topic, [event, accountLevel]);

      const consumer = kafka.consumer({ groupId: `wire-${randomUUID()}` });
      const records: { key: string; value: unknown; headers: Record<string, string> }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
          records.push({ key: String(message.key), value: JSON.parse(String(message.value)), headers });
        },
      });
      const deadline = Date.now() + 20_000;
      while (records.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await consumer.disconnect();
      records.sort((a, b) => (a.value as { position: number }).position - (b.value as { position: number }).position);

      expect(records).toHaveLength(2);
      expect(records[0]).toEqual({
        key: 'prt_01WIRE',
        value: event,
        headers: {
          ce_specversion: '1.0',
          ce_id: event.id,
          ce_source: `/as2-partners/${service}`,
          ce_type: 'contract.happened.v1',
          ce_time: '2026-11-23T10:00:00.000Z',
          ce_subject: 'prt_01WIRE',
          'content-type': 'application/json',
          ce_tenant: 'ten_contract',
          ce_account: 'acct_contract',
          ce_correlationid: event.metadata.correlationId,
          ce_causationid: event.metadata.causationId,
          ce_actor: 'user:usr_contract',
        },
      });
      expect(records[1]).toEqual({
        key: 'ten_01WIRE',
        value: accountLevel,
        headers: {
          ce_specversion: '1.0',
          ce_id: accountLevel.id,
          ce_source: `/as2-partners/${service}`,
          ce_type: 'tenant.created.v1',
          ce_time: '2026-11-23T10:00:00.000Z',
          ce_subject: 'ten_01WIRE',
          'content-type': 'application/json',
          ce_account: 'acct_contract',
          ce_correlationid: event.metadata.correlationId,
          ce_actor: 'service:provisioning',
        },
      });
    }, 30_000);

    it('creates a missing topic with the partitions asked for, and answers ping', async () => {
      const topic = uniqueTopic();
      await bus.publish(topic, [busEvent('partner-prt_P', 0, 1)]);
      const admin = kafka.admin();
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.disconnect();
      expect(topics[0].partitions).toHaveLength(3);
      await expect(bus.ping()).resolves.toBeUndefined();
    }, 30_000);

    it('first uses of a new topic at once (publishes and subscribes, in one process and from two) create it once, log no error and lose nothing', async () => {
      const errors: string[] = [];
      const warnings: string[] = [];
      const logger = { warn: (message: string, context?: Record<string, unknown>) => void warnings.push(`${message} ${JSON.stringify(context)}`), error: (message: string) => void errors.push(message) };
      const buses = await Promise.all([1, 2].map((n) => KafkaEventBus.connect({ brokers: brokerList, clientId: `as2-race-${n}`, topicPartitions: 3, logger })));
      try {
        const topic = uniqueTopic();
        const received = [new Set<string>(), new Set<string>()];
        const [subscriptions] = await Promise.all([
          Promise.all(buses.map((each, n) => each.subscribe({ groupId: `race-${n}-${randomUUID()}`, topics: [topic], handler: async (event) => void received[n].add(event.id) }))),
          Promise.all(buses.flatMap((each, n) => [0, 1, 2].map((i) => each.publish(topic, [busEvent(`partner-prt_RACE${n}${i}`, 0, 1 + i)])))),
        ]);
        const deadline = Date.now() + 60_000;
        while (received.some((ids) => ids.size < 6) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        await Promise.all(subscriptions.map((each) => each.stop()));
        expect(received.map((ids) => ids.size)).toEqual([6, 6]);
        expect(errors).toEqual([]);
        // The answer "exists already" to a creation that raced another process's is the bus's to judge, not a line to alarm on.
        expect(warnings.filter((line) => line.includes('Topic creation errors'))).toEqual([]);
      } finally {
        await Promise.all(buses.map((each) => each.close()));
      }
    }, 120_000);

    it('commits no offset for an event whose handler never succeeded: the group gets it again after a restart', async () => {
      const topic = uniqueTopic();
      const groupId = `retry-${randomUUID()}`;
      const [handled, poisoned, later] = [0, 1, 2].map((revision) => busEvent('partner-prt_POISON', revision, revision + 1));
      const attempts: string[] = [];
      const failing = await bus.subscribe({
        groupId,
        topics: [topic],
        handler: async (event) => {
          attempts.push(event.id);
          if (event.id !== handled.id) throw new Error('read model down');
        },
      });
      await bus.publish(topic, [handled, poisoned, later]);
      const deadline = Date.now() + 20_000;
      while (attempts.filter((id) => id === poisoned.id).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await failing.stop();
      expect(attempts).not.toContain(later.id);

      const received: string[] = [];
      const healthy = await bus.subscribe({ groupId, topics: [topic], handler: async (event) => void received.push(event.id) });
      while (received.length < 2 && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 50));
      await healthy.stop();
      expect(received).toEqual([poisoned.id, later.id]);
    }, 40_000);

    it('after a member of the group was killed (kill -9), subscribe answers before the join, which waits for the dead session; nothing is missed', async () => {
      const topic = uniqueTopic();
      const groupId = `killed-${randomUUID()}`;
      await bus.publish(topic, [busEvent('partner-prt_KILLED', 0, 1)]);
      // A member in its own process, joined with a 12 s session, then killed without leaving the group.
      const member = spawn(process.execPath, ['-e', killedMemberScript(brokerList, groupId, topic)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        member.stdout?.on('data', (chunk: Buffer) => (String(chunk).includes('joined') ? resolve() : undefined));
        member.once('exit', (code) => reject(new Error(`the member exited with ${code} before joining`)));
      });
      member.kill('SIGKILL');

      const received: string[] = [];
      // The group's join, as kafkajs reports it for the consumer subscribe makes.
      let joined = false;
      const consumerOf = Kafka.prototype.consumer;
      const consumers = jest.spyOn(Kafka.prototype, 'consumer').mockImplementation(function (this: Kafka, config) {
        const consumer = consumerOf.call(this, config);
        consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
        return consumer;
      });
      const subscription = await bus.subscribe({ groupId, topics: [topic], handler: async (event) => void received.push(event.id) }).finally(() => consumers.mockRestore());
      // The dead member's session holds the join for up to 12 s: subscribe answered without waiting for it.
      const joinedWhenSubscribed = joined;
      const later = busEvent('partner-prt_KILLED', 1, 2);
      await bus.publish(topic, [later]);
      const deadline = Date.now() + 30_000;
      while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await subscription.stop();

      expect(joinedWhenSubscribed).toBe(false);
      expect(joined).toBe(true);
      expect(received).toHaveLength(2);
      expect(received).toContain(later.id);
    }, 60_000);

    it('with a parked-event store: parks a record whose handler keeps failing, or that is no event, commits past it and delivers the records behind it', async () => {
      const parked = new InMemoryParkedEventStore();
      const parking = await KafkaEventBus.connect({
        brokers: brokerList,
        clientId: 'as2-parking',
        topicPartitions: 1,
        parked,
        retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
      });
      const topic = uniqueTopic();
      const groupId = `park-${randomUUID()}`;
      const [handled, poisoned, later] = [0, 1, 2].map((revision) => busEvent('partner-prt_PARK', revision, revision + 1));
      const attempts: string[] = [];
      const received: string[] = [];
      try {
        const failing = await parking.subscribe({
          groupId,
          topics: [topic],
          handler: async (event) => {
            attempts.push(event.id);
            if (event.id === poisoned.id) throw new Error('cannot apply this one');
            received.push(event.id);
          },
        });
        await parking.publish(topic, [handled, poisoned]);
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({ topic, messages: [{ key: 'prt_PARK', value: 'not an event' }] });
        await producer.disconnect();
        await parking.publish(topic, [later]);
        const deadline = Date.now() + 20_000;
        while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        await failing.stop();
        expect(received).toEqual([handled.id, later.id]);
        expect(attempts.filter((id) => id === poisoned.id)).toHaveLength(3);
        const entries = await parked.list({ consumer: groupId });
        expect(entries.map((e) => [e.event.type, e.topic, e.attempts])).toEqual(
          expect.arrayContaining([
            [poisoned.type, topic, 3],
            ['kafka.unreadable_record', topic, 1],
          ]),
        );
        expect(entries.find((e) => e.event.id === poisoned.id)?.error).toBe('cannot apply this one');
        expect(entries.find((e) => e.event.type === 'kafka.unreadable_record')?.event.data).toMatchObject({ value: 'not an event' });

        // The offsets moved past both parked records: the group resumes after them.
        const next = busEvent('partner-prt_PARK', 3, 4);
        const resumed: string[] = [];
        const healthy = await parking.subscribe({ groupId, topics: [topic], handler: async (event) => void resumed.push(event.id) });
        await parking.publish(topic, [next]);
        while (resumed.length < 1 && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 50));
        await healthy.stop();
        expect(resumed).toEqual([next.id]);
      } finally {
        await parking.close();
      }
    }, 60_000);

    it('refuses a topic outside the as2.<service>.events convention before sending anything', async () => {
      await expect(bus.publish('partners', [busEvent('partner-prt_X', 0, 1)])).rejects.toThrow('as2.<service>.events');
    });
  });

  it('connectInBackground: opened while no broker answers, it refuses publishes and pings naming the brokers, then publishes and delivers once one answers', async () => {
    // The bootstrap address is a port nothing listens on yet; later it forwards to the real broker: Kafka coming up after the service.
    const late = await lateTcpForward(brokerList[0] as string);
    const warnings: string[] = [];
    const bus = await KafkaEventBus.connect({
      brokers: [late.address],
      clientId: 'late-broker',
      connectInBackground: true,
      reconnectInitialDelayMs: 200,
      reconnectMaxDelayMs: 1000,
      logger: { warn: (message) => void warnings.push(message), error: () => undefined },
    });
    try {
      expect(bus.isConnected).toBe(false);
      expect(warnings[0]).toContain(`Kafka at ${late.address} is not reachable`);
      const topic = uniqueTopic();
      await expect(bus.publish(topic, [busEvent('partner-prt_LATE', 0, 1)])).rejects.toThrow(`Kafka at ${late.address} is not reachable`);
      await expect(bus.ping()).rejects.toThrow('connecting in the background');
      const delivered: string[] = [];
      const subscription = await bus.subscribe({ groupId: `late-${randomUUID()}`, topics: [topic], handler: async (event) => void delivered.push(event.id) });

      await late.open();
      const deadline = Date.now() + 45_000;
      while (!bus.isConnected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(bus.isConnected).toBe(true);
      await bus.ping();
      const event = busEvent('partner-prt_LATE', 0, 1);
      await bus.publish(topic, [event]);
      while (delivered.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(delivered).toEqual([event.id]);
      await subscription.stop();
    } finally {
      await bus.close();
      await late.close();
    }
  }, 90_000);

  it('connectInBackground: closing before a broker ever answered stops trying, and a subscription asked for meanwhile never starts', async () => {
    const bus = await KafkaEventBus.connect({
      brokers: ['127.0.0.1:1'],
      clientId: 'never-broker',
      connectInBackground: true,
      reconnectInitialDelayMs: 60_000,
      logger: { warn: () => undefined, error: () => undefined },
    });
    const subscription = await bus.subscribe({ groupId: `never-${randomUUID()}`, topics: [uniqueTopic()], handler: async () => undefined });
    let closed = false;
    const closing = bus.close().then(() => subscription.stop()).then(() => void (closed = true));
    // Closing ends the minute's wait before the next attempt rather than waiting it out: done within a few turns of the loop.
    for (let turn = 0; turn < 100 && !closed; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
    await closing;
    expect(bus.isConnected).toBe(false);
  }, 60_000);

  it('connect fails with the broker address when nothing listens there', async () => {
    await expect(
      KafkaEventBus.connect({ brokers: ['127.0.0.1:1'], clientId: 'unreachable', logger: { warn: () => undefined, error: () => undefined } }),
    ).rejects.toThrow('Kafka at 127.0.0.1:1 is not reachable');
  }, 60_000);
});

/** A consumer that joins `groupId` with a 12 s session, prints "joined" and then waits to be killed. */
function killedMemberScript(brokers: readonly string[], groupId: string, topic: string): string {
  return `
    const { Kafka, logLevel } = require('kafkajs');
    const consumer = new Kafka({ clientId: 'killed-member', brokers: ${JSON.stringify(brokers)}, logLevel: logLevel.NOTHING })
      .consumer({ groupId: ${JSON.stringify(groupId)}, sessionTimeout: 12000, heartbeatInterval: 1000 });
    consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('joined\\n'));
    (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: [${JSON.stringify(topic)}], fromBeginning: false });
      await consumer.run({ eachMessage: async () => new Promise(() => undefined) });
    })();
    setInterval(() => undefined, 1000);
  `;
}
