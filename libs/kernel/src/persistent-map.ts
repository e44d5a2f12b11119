interface Root<K, V> {
  readonly kind: 'root';
  readonly map: Map<K, V>;
}

/** This version differs from `next` in one key: here it held `value` (or nothing, when `had` is false). */
interface Diff<K, V> {
  readonly kind: 'diff';
  readonly key: K;
  readonly had: boolean;
  readonly value: V | undefined;
  readonly next: PersistentMap<K, V>;
}

/**
 * An immutable map whose `set`/`delete` cost O(1) when each new version is derived from the latest one, as a fold
 * does (a long stream's `evolve` stays O(1) per event instead of copying the map). Every version stays valid: one
 * version holds the real `Map`, the others hold a one-key difference to a newer version, and reading an older version
 * moves the real map to it by undoing those differences (Baker's rerooting), so a branch (a decide that folds
 * tentative events, then a retry from the original state) costs the number of keys that differ. Iteration order is
 * unspecified (an undone delete re-inserts its key last).
 */
export class PersistentMap<K, V> implements ReadonlyMap<K, V> {
  private node: Root<K, V> | Diff<K, V>;

  private constructor(map: Map<K, V>) {
    this.node = { kind: 'root', map };
  }

  static empty<K, V>(): PersistentMap<K, V> {
    return new PersistentMap(new Map());
  }

  static of<K, V>(entries: Iterable<readonly [K, V]>): PersistentMap<K, V> {
    return new PersistentMap(new Map(entries));
  }

  /** Takes `map` over as the first version: the caller must not touch it afterwards. */
  static adopt<K, V>(map: Map<K, V>): PersistentMap<K, V> {
    return new PersistentMap(map);
  }

  get size(): number {
    return this.reroot().size;
  }

  get(key: K): V | undefined {
    return this.reroot().get(key);
  }

  has(key: K): boolean {
    return this.reroot().has(key);
  }

  /** A new version with `key` set; this version is unchanged. */
  set(key: K, value: V): PersistentMap<K, V> {
    const map = this.reroot();
    return this.derive(map, key, () => map.set(key, value));
  }

  /** A new version without `key` (this one when it has no such key). */
  delete(key: K): PersistentMap<K, V> {
    const map = this.reroot();
    if (!map.has(key)) return this;
    return this.derive(map, key, () => map.delete(key));
  }

  /** The real map, moved to this version: valid until another version is read (which moves it again). */
  current(): ReadonlyMap<K, V> {
    return this.reroot();
  }

  // Iterators run over a copy: another version read meanwhile moves the real map.
  entries(): MapIterator<[K, V]> {
    return [...this.reroot().entries()][Symbol.iterator]();
  }

  keys(): MapIterator<K> {
    return [...this.reroot().keys()][Symbol.iterator]();
  }

  values(): MapIterator<V> {
    return [...this.reroot().values()][Symbol.iterator]();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  private derive(map: Map<K, V>, key: K, change: () => void): PersistentMap<K, V> {
    const next = new PersistentMap(map);
    this.node = { kind: 'diff', key, had: map.has(key), value: map.get(key), next };
    change();
    return next;
  }

  /** Makes this version hold the real map, undoing the differences on the way from the version that holds it. */
  private reroot(): Map<K, V> {
    if (this.node.kind === 'root') return this.node.map;
    const path: PersistentMap<K, V>[] = [this];
    let holder: PersistentMap<K, V> = this.node.next;
    while (holder.node.kind === 'diff') {
      path.push(holder);
      holder = holder.node.next;
    }
    const map = holder.node.map;
    for (let i = path.length - 1; i >= 0; i--) {
      const version = path[i] as PersistentMap<K, V>;
      const diff = version.node as Diff<K, V>;
      holder.node = { kind: 'diff', key: diff.key, had: map.has(diff.key), value: map.get(diff.key), next: version };
      if (diff.had) map.set(diff.key, diff.value as V);
      else map.delete(diff.key);
      version.node = { kind: 'root', map };
      holder = version;
    }
    return map;
  }
}
