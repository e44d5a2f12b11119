import { sameMessageId } from '@as2-partners/as2';
import type { ReceivedMdn } from '../probes/as2-exchange-test';

/**
 * Tests waiting for an asynchronous MDN, by the Message-ID they sent. The receipt route hands each MDN to its
 * waiter; an MDN nobody waits for (late, or for another replica) is dropped.
 */
export class AsyncMdnWaiters {
  private readonly waiting = new Map<string, (mdn: ReceivedMdn) => void>();

  wait(messageId: string, timeoutMs: number): Promise<ReceivedMdn | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(messageId);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(messageId, (mdn) => {
        clearTimeout(timer);
        this.waiting.delete(messageId);
        resolve(mdn);
      });
    });
  }

  /** True when a test was waiting for this MDN. */
  deliver(originalMessageId: string, mdn: ReceivedMdn): boolean {
    for (const [messageId, resolve] of this.waiting) {
      if (sameMessageId(messageId, originalMessageId)) {
        resolve(mdn);
        return true;
      }
    }
    return false;
  }
}
