import type { CheckpointStore } from '@as2-partners/kernel';
import type { mongo } from 'mongoose';

interface CheckpointDocument {
  _id: string;
  position: number;
}

/** Checkpoints of the projections that write into this database, one document per follower name. */
export class MongoCheckpointStore implements CheckpointStore {
  constructor(private readonly collection: mongo.Collection<CheckpointDocument>) {}

  async load(name: string): Promise<number | null> {
    const found = await this.collection.findOne({ _id: name });
    return found ? found.position : null;
  }

  async save(name: string, position: number): Promise<void> {
    await this.collection.replaceOne({ _id: name }, { position }, { upsert: true });
  }

  async delete(name: string): Promise<void> {
    await this.collection.deleteOne({ _id: name });
  }
}
