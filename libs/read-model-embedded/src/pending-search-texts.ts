import type { ReadModelDocumentTable } from './read-model-document-table';
import type { TurnTransaction } from './turn-transaction';

/**
 * The trigram index's changes made by the open transaction's writes (a document's search text by its `seq`, null for a
 * removed one), written into the index at once: just before the transaction commits, and before anything reads or
 * rewrites the index. FTS5 writes what it holds as a segment of its own at every savepoint, so a text written with its
 * document made a segment per write (then merged again); held here, a commit writes one segment for all of them
 * (with the commit interval, ~10 % less CPU a create: docs/benchmarks.md). Only the last change of a `seq` counts. A
 * write that fails takes its changes back (`undoneOnFailure`); a failed transaction drops them all; one the index
 * refuses when they are written fails the transaction, as a refused commit does.
 */
export class PendingSearchTexts {
  private readonly changes = new Map<number, string | null>();
  /** While a write runs: what each `seq` it changed held before it, to put back if the write fails. */
  private undo: [number, string | null | undefined][] | null = null;

  constructor(private readonly table: ReadModelDocumentTable, private readonly turn: TurnTransaction) {
    turn.heldWrites.push(() => this.write());
    turn.onRollback.push(() => this.changes.clear());
  }

  /** The document at `seq` is now found by `text` (null: by nothing, it was deleted). Inside the turn's transaction. */
  set(seq: number, text: string | null): void {
    this.undo?.push([seq, this.changes.get(seq)]);
    this.changes.set(seq, text);
  }

  /** Runs a write of documents; if it throws, the changes it made here are taken back with it. */
  undoneOnFailure(work: () => void): void {
    const undo: [number, string | null | undefined][] = [];
    this.undo = undo;
    try {
      work();
    } catch (error) {
      for (let i = undo.length - 1; i >= 0; i -= 1) {
        const [seq, before] = undo[i] as [number, string | null | undefined];
        if (before === undefined) this.changes.delete(seq);
        else this.changes.set(seq, before);
      }
      throw error;
    } finally {
      this.undo = null;
    }
  }

  /** The changes written into the index now (something is about to read or rewrite it); a refused one fails the transaction and is thrown. */
  flush(): void {
    if (this.changes.size > 0) this.turn.writeHeld(() => this.write());
  }

  private write(): void {
    if (this.changes.size === 0) return;
    const changes = [...this.changes];
    this.changes.clear();
    for (const [seq, text] of changes) {
      if (text === null) this.table.searchDelete.run(seq);
      else this.table.searchReplace.run(seq, text);
    }
  }
}
