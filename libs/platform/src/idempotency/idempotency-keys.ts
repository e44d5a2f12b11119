import type { Clock, ReadModelCollection } from '@as2-partners/kernel';

/** One Idempotency-Key of one tenant: claimed while its request runs, then the first answer, kept until `expiresAt`. */
export interface IdempotencyRecord {
  /** `<account>/<tenant or ->/<key>`: a key is scoped to its tenant. */
  readonly _id: string;
  /** SHA-256 of method, path, caller and body: the same key with another request is refused. */
  readonly fingerprint: string;
  readonly state: 'pending' | 'done';
  /** A pending claim older than this was left by a request that died (a crash): the key may be claimed again. */
  readonly leaseUntil: string;
  readonly expiresAt: string;
  readonly status?: number;
  readonly contentType?: string;
  readonly body?: string;
}

/** What a request with an Idempotency-Key does. */
export type IdempotencyClaim =
  | { readonly outcome: 'claimed' }
  | { readonly outcome: 'replay'; readonly status: number; readonly contentType: string | undefined; readonly body: string }
  | { readonly outcome: 'in_progress' }
  | { readonly outcome: 'reused' };

export interface IdempotencyKeysOptions {
  readonly ttlMs: number;
  /** How long a claim holds without an answer before another request may take the key over. */
  readonly leaseMs: number;
  readonly clock: Clock;
}

const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Idempotency-Keys kept in the read-model database (SQLite embedded, MongoDB distributed: durable across restarts).
 * A key is claimed atomically (`insert`), so of concurrent duplicates only one runs; the first answer is stored and
 * replayed for the key's lifetime; expired entries are purged now and then.
 */
export class IdempotencyKeys {
  private lastPurge = 0;

  constructor(
    private readonly records: ReadModelCollection<IdempotencyRecord>,
    private readonly options: IdempotencyKeysOptions,
  ) {}

  static idOf(account: string, tenant: string | null, key: string): string {
    return `${account}/${tenant ?? '-'}/${key}`;
  }

  async claim(id: string, fingerprint: string): Promise<IdempotencyClaim> {
    const now = this.options.clock.now();
    this.purgeNowAndThen(now);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const claimed = await this.records.insert({
        _id: id,
        fingerprint,
        state: 'pending',
        leaseUntil: new Date(now.getTime() + this.options.leaseMs).toISOString(),
        expiresAt: new Date(now.getTime() + this.options.ttlMs).toISOString(),
      });
      if (claimed) return { outcome: 'claimed' };
      const existing = await this.records.get(id);
      if (!existing) continue;
      const expired = existing.expiresAt <= now.toISOString();
      const abandoned = existing.state === 'pending' && existing.leaseUntil <= now.toISOString();
      if (expired || abandoned) {
        // Whoever inserts after this delete wins the key; a concurrent taker sees its claim and waits.
        await this.records.delete(id);
        continue;
      }
      if (existing.fingerprint !== fingerprint) return { outcome: 'reused' };
      if (existing.state === 'pending') return { outcome: 'in_progress' };
      return { outcome: 'replay', status: existing.status ?? 200, contentType: existing.contentType, body: existing.body ?? '' };
    }
    return { outcome: 'in_progress' };
  }

  async complete(id: string, fingerprint: string, answer: { status: number; contentType: string | undefined; body: string }): Promise<void> {
    const now = this.options.clock.now();
    await this.records.put({
      _id: id,
      fingerprint,
      state: 'done',
      leaseUntil: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.options.ttlMs).toISOString(),
      status: answer.status,
      ...(answer.contentType === undefined ? {} : { contentType: answer.contentType }),
      body: answer.body,
    });
  }

  /** The request failed on our side (5xx): the key is free again, so the client's retry runs the request again. */
  async release(id: string): Promise<void> {
    await this.records.delete(id);
  }

  private purgeNowAndThen(now: Date): void {
    if (now.getTime() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now.getTime();
    void this.records.deleteMany({ expiresAt: { $lt: now.toISOString() } }).catch(() => undefined);
  }
}
