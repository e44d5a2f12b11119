import { jsonEvent, StreamNotFoundError, BACKWARDS, END, type EventStoreDBClient } from '@eventstore/db-client';
import type { CheckpointStore } from '@as2-partners/kernel';

/** `$`-prefixed, so the event store's readers and subscriptions skip it as an ESDB system event. */
export const CHECKPOINT_EVENT_TYPE = '$as2p.checkpoint';

interface CheckpointData {
  readonly position: number | null;
}

/** One stream per checkpoint, truncated by ESDB to its last event (maxCount 1). */
export class EsdbCheckpointStore implements CheckpointStore {
  private readonly truncated = new Set<string>();

  constructor(private readonly client: EventStoreDBClient) {}

  async load(name: string): Promise<number | null> {
    try {
      for await (const resolved of this.client.readStream(streamOf(name), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        return (resolved.event?.data as CheckpointData | undefined)?.position ?? null;
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  async save(name: string, position: number): Promise<void> {
    await this.write(name, { position });
  }

  /** Writes a cleared checkpoint rather than deleting the stream, which keeps its metadata and later saves simple. */
  async delete(name: string): Promise<void> {
    await this.write(name, { position: null });
  }

  private async write(name: string, data: CheckpointData): Promise<void> {
    const stream = streamOf(name);
    if (!this.truncated.has(stream)) {
      await this.client.setStreamMetadata(stream, { maxCount: 1 });
      this.truncated.add(stream);
    }
    await this.client.appendToStream(stream, jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { ...data } }));
  }
}

function streamOf(name: string): string {
  return `as2p_checkpoint-${name}`;
}
