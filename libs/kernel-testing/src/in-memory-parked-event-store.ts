import type { ParkedEvent, ParkedEventQuery, ParkedEventStore } from '@as2-partners/kernel';

/** A ParkedEventStore in memory (passes parkedEventStoreContract). */
export class InMemoryParkedEventStore implements ParkedEventStore {
  private readonly entries = new Map<string, ParkedEvent>();

  async park(entry: ParkedEvent): Promise<void> {
    this.entries.set(entry.id, structuredClone(entry));
  }

  async list(query: ParkedEventQuery = {}): Promise<ParkedEvent[]> {
    return [...this.entries.values()]
      .filter((entry) => query.consumer === undefined || entry.consumer === query.consumer)
      .sort((a, b) => a.parkedAt.localeCompare(b.parkedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, query.limit ?? 100)
      .map((entry) => structuredClone(entry));
  }

  async get(id: string): Promise<ParkedEvent | null> {
    const entry = this.entries.get(id);
    return entry ? structuredClone(entry) : null;
  }

  async remove(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async removeAll(consumer: string): Promise<void> {
    for (const [id, entry] of this.entries) if (entry.consumer === consumer) this.entries.delete(id);
  }

  async count(consumer: string): Promise<number> {
    return [...this.entries.values()].filter((entry) => entry.consumer === consumer).length;
  }
}
