import type { CheckpointStore } from '@as2-partners/kernel';
import type { mongo } from 'mongoose';

interface CheckpointDocument {
  _id: string;
  position: number;
}

/** Checkpoints of the projections that write into this database, one document per follower name. */
export class MongoCheckpointStore implements CheckpointStore {
  /** During a bulk load: positions saved meanwhile, written after the documents they reflect (`writeHeld`). */
  private held: Map<string, number> | null = null;

  constructor(private readonly collection: mongo.Collection<CheckpointDocument>) {}

  /** Holds saves back until `writeHeld()`, so a position is never stored ahead of documents still held back. */
  hold(): void {
    this.held ??= new Map();
  }

  async writeHeld(): Promise<void> {
    const held = this.held;
    this.held = null;
    for (const [name, position] of held ?? []) await this.save(name, position);
  }

  forgetHeld(): void {
    this.held = null;
  }

  async load(name: string): Promise<number | null> {
    const held = this.held?.get(name);
    if (held !== undefined) return held;
    const found = await this.collection.findOne({ _id: name });
    return found ? found.position : null;
  }

  async save(name: string, position: number): Promise<void> {
    if (this.held) {
      this.held.set(name, position);
      return;
    }
    await this.collection.replaceOne({ _id: name }, { position }, { upsert: true });
  }

  async delete(name: string): Promise<void> {
    this.held?.delete(name);
    await this.collection.deleteOne({ _id: name });
  }
}
