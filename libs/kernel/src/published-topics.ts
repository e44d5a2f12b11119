import { categoryOf, type RecordedEvent } from './event-envelope';

/**
 * Which bus topic the events of each stream category are relayed to from this process's event store, as its outbox
 * relays declare them (embedded mode: every service's relays, over one store). Every event of a topic relayed from the
 * store is in the store from the topic's first event on, so a consumer of it can read them again there.
 */
export class PublishedTopics {
  private readonly byCategory = new Map<string, string>();
  private readonly relayed = new Set<string>();

  /** An outbox relay publishes the events of `categories` to `topic`. */
  relay(topic: string, categories: readonly string[]): void {
    for (const category of categories) this.byCategory.set(category, topic);
    this.relayed.add(topic);
  }

  /** The topic the event was (or will be) published to, null if no relay publishes it. */
  topicOf(event: RecordedEvent): string | null {
    return this.byCategory.get(categoryOf(event.stream)) ?? null;
  }

  /** Whether the events of `topic` are relayed from the store. */
  relays(topic: string): boolean {
    return this.relayed.has(topic);
  }
}
