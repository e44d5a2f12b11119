import type { ParkedEvent, ParkedEventQuery, ParkedEventStore } from '@as2-partners/kernel';
import type { mongo } from 'mongoose';

interface ParkedEventDocument {
  _id: string;
  consumer: string;
  parkedAt: string;
  /** The entry as JSON text: event data may hold field names MongoDB refuses ('.' or a leading '$'). */
  body: string;
}

/** Parked events of the followers that write into this database, one document per entry. */
export class MongoParkedEventStore implements ParkedEventStore {
  private indexed: Promise<unknown> | null = null;

  constructor(private readonly collection: mongo.Collection<ParkedEventDocument>) {}

  async park(entry: ParkedEvent): Promise<void> {
    await this.ensureIndexes();
    await this.collection.replaceOne(
      { _id: entry.id },
      { consumer: entry.consumer, parkedAt: entry.parkedAt, body: JSON.stringify(entry) },
      { upsert: true },
    );
  }

  async list(query: ParkedEventQuery = {}): Promise<ParkedEvent[]> {
    const filter = query.consumer === undefined ? {} : { consumer: query.consumer };
    const found = await this.collection.find(filter).sort({ parkedAt: 1, _id: 1 }).limit(query.limit ?? 100).toArray();
    return found.map((doc) => JSON.parse(doc.body) as ParkedEvent);
  }

  async get(id: string): Promise<ParkedEvent | null> {
    const found = await this.collection.findOne({ _id: id });
    return found ? (JSON.parse(found.body) as ParkedEvent) : null;
  }

  async remove(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }

  async removeAll(consumer: string): Promise<void> {
    await this.collection.deleteMany({ consumer });
  }

  async count(consumer: string): Promise<number> {
    return this.collection.countDocuments({ consumer });
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexed ??= this.collection.createIndex({ consumer: 1, parkedAt: 1, _id: 1 }).catch((error: unknown) => {
      this.indexed = null;
      throw error;
    });
    return this.indexed;
  }
}
