import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { parseAs2Name, peekMdnOriginalMessageId } from '@as2-partners/as2';
import { CLOCK, READ_MODEL_STORE, type Clock, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import type { ReceivedMdn } from '../probes/as2-exchange-test';
import { TesterCollections } from '../reactions/partner-registry-events/tested-partner.documents';

/** A test waiting for an asynchronous MDN: the message it sent, who may answer it, until when. */
export interface ExpectedMdnDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly testId: string;
  /** The partner's AS2 id: the MDN's AS2-From. */
  readonly partnerAs2Id: string;
  /** Ours: the MDN's AS2-To. */
  readonly ourAs2Id: string;
  readonly expiresAt: string;
}

/** The first MDN accepted for an expected message, as the receipt route got it. */
export interface ReceivedMdnDocument {
  readonly _id: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly receivedAt: string;
}

export interface ExpectedMdn {
  readonly account: string;
  readonly tenant: string;
  readonly testId: string;
  readonly partnerAs2Id: string;
  readonly ourAs2Id: string;
}

export type ReceiptOutcome = 'accepted' | 'not-an-mdn' | 'not-expected';

/** Message ids compare without their angle brackets (RFC 5322 msg-id), as sameMessageId does. */
const keyOf = (messageId: string) => messageId.trim().replace(/^<|>$/g, '');
const POLL_MS = { first: 25, max: 250 } as const;
/** How long a received MDN is kept after its test: while it exists, a second MDN for the message is refused. */
const RECEIVED_KEPT_MS = 60 * 60 * 1000;
/** What reading an MDN needs of its HTTP headers; nothing else a sender sent (cookies, credentials) is kept. */
const KEPT_HEADERS = ['content-type', 'content-transfer-encoding', 'mime-version', 'message-id', 'as2-from', 'as2-to', 'as2-version', 'date', 'subject'] as const;

function headerValue(headers: ReceivedMdn['headers'], name: string): string | null {
  const value = headers[name];
  return typeof value === 'string' ? value : null;
}

function sameAs2Name(header: string | null, expected: string): boolean {
  if (header === null) return false;
  try {
    return parseAs2Name(header, 'AS2 header') === expected;
  } catch {
    return false;
  }
}

/**
 * Asynchronous MDNs of connection tests through the shared read-model store, so the receipt route of any replica
 * completes the test waiting on any other: a test records the message it expects before sending, the route stores
 * the first MDN for an expected message from the right partner, and the test polls for it until its deadline.
 */
@Injectable()
export class AsyncMdnReceipts {
  private readonly expected: ReadModelCollection<ExpectedMdnDocument>;
  private readonly received: ReadModelCollection<ReceivedMdnDocument>;

  constructor(
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.expected = readModels.collection(TesterCollections.expectedMdns, [['expiresAt']]);
    this.received = readModels.collection(TesterCollections.receivedMdns, [['receivedAt']]);
  }

  /** Before sending: from now on an MDN for this message is accepted (until the deadline). */
  async expect(messageId: string, who: ExpectedMdn, timeoutMs: number): Promise<void> {
    const now = this.clock.now();
    // Records a crashed replica left behind go with the next test that starts, received MDNs once kept long enough.
    await this.expected.deleteMany({ expiresAt: { $lt: now.toISOString() } });
    await this.received.deleteMany({ receivedAt: { $lt: new Date(now.getTime() - RECEIVED_KEPT_MS).toISOString() } });
    await this.expected.put({ _id: keyOf(messageId), ...who, expiresAt: new Date(now.getTime() + timeoutMs).toISOString() });
  }

  /**
   * The MDN for the message, or null at the deadline; either way the message is no longer expected. The received MDN
   * stays (until a later test clears it) so that a duplicate racing this wait still finds it and is refused.
   */
  async wait(messageId: string, timeoutMs: number): Promise<ReceivedMdn | null> {
    const key = keyOf(messageId);
    const deadline = Date.now() + timeoutMs;
    try {
      for (let pause: number = POLL_MS.first; ; pause = Math.min(pause * 2, POLL_MS.max)) {
        const mdn = await this.received.get(key);
        if (mdn) return { headers: mdn.headers, body: Buffer.from(mdn.body, 'base64') };
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await sleep(Math.min(pause, left));
      }
    } finally {
      await this.expected.delete(key);
    }
  }

  /** The receipt route: stores an MDN only for a message a test is waiting for, from the partner it was sent to, once. */
  async receive(received: ReceivedMdn): Promise<ReceiptOutcome> {
    // HTTP header names are case-insensitive; Node lowercases them, a caller in process may not.
    const mdn = { headers: Object.fromEntries(Object.entries(received.headers).map(([name, value]) => [name.toLowerCase(), value])), body: received.body };
    let originalMessageId: string;
    try {
      originalMessageId = peekMdnOriginalMessageId(mdn.headers, mdn.body);
    } catch {
      return 'not-an-mdn';
    }
    const key = keyOf(originalMessageId);
    if (key.length === 0 || key.length > 998) return 'not-expected';
    const expected = await this.expected.get(key);
    if (!expected || expected.expiresAt <= this.clock.now().toISOString()) return 'not-expected';
    if (!sameAs2Name(headerValue(mdn.headers, 'as2-from'), expected.partnerAs2Id) || !sameAs2Name(headerValue(mdn.headers, 'as2-to'), expected.ourAs2Id)) return 'not-expected';
    const headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => (mdn.headers[name] === undefined ? [] : [[name, mdn.headers[name]]])));
    const inserted = await this.received.insert({ _id: key, headers, body: mdn.body.toString('base64'), receivedAt: this.clock.now().toISOString() });
    return inserted ? 'accepted' : 'not-expected';
  }
}
