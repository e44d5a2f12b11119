/**
 * Child process for the single-writer lock tests. Usage: lock-child <file>
 * Opens the store as a writer: prints `open` and waits to be killed, or prints `locked: <message>` and exits 3.
 */
import { EventStoreLockedError } from '../src/sqlite-writer-lock';
import { SqliteEventStore } from '../src/sqlite-event-store';

SqliteEventStore.open(process.argv[2] as string, { exclusiveWriter: true }).then(
  () => {
    process.stdout.write('open\n');
    setInterval(() => undefined, 60_000);
  },
  (error: unknown) => {
    if (error instanceof EventStoreLockedError) {
      process.stdout.write(`locked: ${error.message}\n`);
      process.exit(3);
    }
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
