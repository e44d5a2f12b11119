import type { CheckpointStore } from '@as2-partners/kernel';

/** A CheckpointStore in memory (passes checkpointContract). */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, number>();

  async load(name: string): Promise<number | null> {
    return this.positions.get(name) ?? null;
  }

  async save(name: string, position: number): Promise<void> {
    this.positions.set(name, position);
  }

  async delete(name: string): Promise<void> {
    this.positions.delete(name);
  }
}
