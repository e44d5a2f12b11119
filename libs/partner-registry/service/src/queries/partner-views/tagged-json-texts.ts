import { OldestKeys } from '@as2-partners/kernel';
/**
 * JSON texts kept in memory by key, each filed under tags, within a budget of characters: the earliest kept leave first
 * (a Map iterates in insertion order), a write drops every text filed under its tag. What the read routes beside Nest
 * keep (details bodies, list items, whole list pages).
 */
export class TaggedJsonTexts {
  private readonly kept = new Map<string, { readonly json: string; readonly tags: readonly string[] }>();
  /** Tag → keys of the texts filed under it. */
  private readonly index = new Map<string, Set<string>>();
  private chars = 0;
  private readonly oldest = new OldestKeys(this.kept);

  constructor(private readonly maxChars: number) {}

  get size(): number {
    return this.kept.size;
  }

  get(key: string): string | undefined {
    return this.kept.get(key)?.json;
  }

  /** Whether a text of `length` characters fits beside those kept without pushing any out. */
  fits(length: number): boolean {
    return this.chars + length <= this.maxChars;
  }

  keep(key: string, json: string, tags: readonly string[]): void {
    this.drop(key);
    while (this.chars + json.length > this.maxChars && this.kept.size > 0) this.drop(this.oldest.next() as string);
    this.kept.set(key, { json, tags });
    this.chars += json.length;
    for (const tag of tags) {
      let keys = this.index.get(tag);
      if (!keys) this.index.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  dropTagged(tag: string): void {
    const keys = this.index.get(tag);
    if (keys !== undefined) for (const key of [...keys]) this.drop(key);
  }

  clear(): void {
    this.kept.clear();
    this.index.clear();
    this.chars = 0;
  }

  drop(key: string): void {
    const entry = this.kept.get(key);
    if (entry === undefined) return;
    this.kept.delete(key);
    this.chars -= entry.json.length;
    for (const tag of entry.tags) {
      const keys = this.index.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.index.delete(tag);
    }
  }
}
