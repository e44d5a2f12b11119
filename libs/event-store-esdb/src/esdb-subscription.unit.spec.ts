import { PassThrough } from 'node:stream';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { RecordedEvent } from '@as2-partners/kernel';
import { contractEvent } from '@as2-partners/kernel-testing';
import { toEventData } from './esdb-event-mapping';
import { EsdbCatchUpSubscription } from './esdb-subscription';

/** Stands in for the client's subscription stream: objects pushed in come out to the reader. */
function fakeSource() {
  const stream = new PassThrough({ objectMode: true });
  let unsubscribed = 0;
  Object.assign(stream, { unsubscribe: async () => void (unsubscribed += 1) });
  return { source: stream as unknown as AllStreamSubscription, push: (e: AllStreamResolvedEvent) => stream.write(e), unsubscribed: () => unsubscribed };
}

function resolved(position: number, overrides: { type?: string; streamId?: string } = {}): AllStreamResolvedEvent {
  const sent = toEventData(contractEvent({ type: overrides.type ?? 'contract.happened.v1' }));
  return {
    event: {
      streamId: overrides.streamId ?? 'contract-1',
      id: sent.id,
      revision: BigInt(position),
      type: sent.type,
      data: sent.data,
      metadata: sent.metadata,
      isJson: true,
      created: new Date(),
      position: { commit: BigInt(position), prepare: BigInt(position) },
    },
    commitPosition: BigInt(position),
  } as AllStreamResolvedEvent;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('EsdbCatchUpSubscription', () => {
  it("delivers our events after the checkpoint in order, skipping ESDB's own", async () => {
    const { source, push } = fakeSource();
    const received: RecordedEvent[] = [];
    const subscription = new EsdbCatchUpSubscription(source, { after: 10, onEvent: async (e) => void received.push(e) }, () => undefined);
    push(resolved(10));
    push(resolved(11));
    push(resolved(12, { type: '$metadata' }));
    push(resolved(13, { streamId: '$stats-1' }));
    push(resolved(14));
    await settle();
    expect(received.map((e) => e.position)).toEqual([11, 14]);
    await subscription.stop();
  });

  it('waits for each onEvent, and stop() waits for the running one and releases the server stream', async () => {
    const { source, push, unsubscribed } = fakeSource();
    let running = 0;
    let maxRunning = 0;
    let handled = 0;
    let finished = false;
    const subscription = new EsdbCatchUpSubscription(
      source,
      {
        onEvent: async () => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running -= 1;
          handled += 1;
        },
      },
      () => void (finished = true),
    );
    push(resolved(1));
    push(resolved(2));
    await settle();
    await subscription.stop();
    expect(maxRunning).toBe(1);
    expect(running).toBe(0);
    expect(unsubscribed()).toBe(1);
    expect(finished).toBe(true);
    const handledAtStop = handled;
    await settle();
    expect(handled).toBe(handledAtStop);
  });

  it('a rejecting onEvent stops delivery and reports to onError', async () => {
    const { source, push, unsubscribed } = fakeSource();
    const failure = new Error('handler failed');
    const received: number[] = [];
    const errors: unknown[] = [];
    new EsdbCatchUpSubscription(
      source,
      {
        onEvent: async (e) => {
          received.push(e.position);
          if (e.position === 2) throw failure;
        },
        onError: (error) => errors.push(error),
      },
      () => undefined,
    );
    push(resolved(1));
    push(resolved(2));
    push(resolved(3));
    await settle();
    expect(received).toEqual([1, 2]);
    expect(errors).toEqual([failure]);
    expect(unsubscribed()).toBe(1);
  });

  it('reports a server stream that fails or ends', async () => {
    const failing = fakeSource();
    const errors: unknown[] = [];
    new EsdbCatchUpSubscription(failing.source, { onEvent: async () => undefined, onError: (e) => errors.push(e) }, () => undefined);
    (failing.source as unknown as PassThrough).destroy(new Error('UNAVAILABLE'));
    await settle();
    expect(errors).toEqual([new Error('UNAVAILABLE')]);

    const ending = fakeSource();
    const endErrors: unknown[] = [];
    new EsdbCatchUpSubscription(ending.source, { onEvent: async () => undefined, onError: (e) => endErrors.push(e) }, () => undefined);
    (ending.source as unknown as PassThrough).end();
    await settle();
    expect(String(endErrors[0])).toMatch(/ended the \$all subscription/);
  });
});
