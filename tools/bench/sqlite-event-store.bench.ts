/**
 * Append throughput of the embedded event store (synchronous=FULL: one fsync per append).
 * Run: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/sqlite-event-store.bench.ts [seconds]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '@as2-partners/kernel';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';

const seconds = Number(process.argv[2] ?? 3);

function event(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'bench.appended.v1',
    schemaVersion: 1,
    data: { n, name: 'ACME Corp', as2Id: 'ACME-CORP', url: 'https://as2.acme.example/receive' },
    metadata: {
      account: 'acct_bench',
      tenant: 'ten_bench',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { type: 'user', id: 'usr_bench', roles: ['admin'] },
      occurredAt: new Date().toISOString(),
    },
  };
}

async function measure(store: SqliteEventStore, batchSize: number): Promise<{ appends: number; events: number; ms: number }> {
  const started = performance.now();
  let appends = 0;
  while (performance.now() - started < seconds * 1000) {
    const batch = Array.from({ length: batchSize }, (_, n) => event(n));
    await store.append(`bench-${appends % 100}-${batchSize}`, batch, 'any');
    appends += 1;
  }
  return { appends, events: appends * batchSize, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-bench-'));
  const store = await SqliteEventStore.open(join(dir, 'events.db'));
  try {
    for (const batchSize of [1, 10]) {
      const { appends, events, ms } = await measure(store, batchSize);
      const perSecond = (n: number) => Math.round((n / ms) * 1000);
      console.log(
        `batch of ${String(batchSize).padStart(2)}: ${perSecond(appends)} appends/s, ${perSecond(events)} events/s ` +
          `(${appends} appends in ${Math.round(ms)} ms)`,
      );
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
