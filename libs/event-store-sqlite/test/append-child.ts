/**
 * Child process for the crash and multi-process tests. Usage:
 *   append-child <file> crash <stream>        appends one event, prints the result, then waits to be killed
 *   append-child <file> contend <stream> <n>  appends n events one at a time, retrying on stale revisions
 */
import { randomUUID } from 'node:crypto';
import { WrongExpectedRevisionError, type NewEvent } from '@as2-partners/kernel';
import { SqliteEventStore } from '../src/sqlite-event-store';

function event(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'child.appended.v1',
    schemaVersion: 1,
    data: { pid: process.pid, n },
    metadata: {
      account: 'acct_child',
      tenant: null,
      correlationId: randomUUID(),
      causationId: null,
      actor: { type: 'system', id: 'append-child' },
      occurredAt: new Date().toISOString(),
    },
  };
}

async function crash(store: SqliteEventStore, stream: string): Promise<void> {
  const appended = event(0);
  const result = await store.append(stream, [appended], 'no_stream');
  process.stdout.write(`${JSON.stringify({ id: appended.id, ...result })}\n`);
  setInterval(() => undefined, 1_000);
}

async function contend(store: SqliteEventStore, stream: string, count: number): Promise<void> {
  let conflicts = 0;
  for (let n = 0; n < count; n += 1) {
    for (;;) {
      const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      try {
        await store.append(stream, [event(n)], last ? last.revision : 'no_stream');
        break;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        conflicts += 1;
      }
    }
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ conflicts })}\n`);
}

async function main(): Promise<void> {
  const [file, mode, stream, count] = process.argv.slice(2);
  if (!file || !stream) throw new Error('usage: append-child <file> crash|contend <stream> [count]');
  const store = await SqliteEventStore.open(file);
  if (mode === 'crash') await crash(store, stream);
  else if (mode === 'contend') await contend(store, stream, Number(count));
  else throw new Error(`unknown mode ${mode}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
