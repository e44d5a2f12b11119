import { BucketedMap, bucketOf, decodeBucket, encodeBucket, toBuckets, toBucketsNow, type BucketRows } from './bucketed-map';
import { PersistentMap } from './persistent-map';

const rows: BucketRows<string, { id: string; at: string }> = {
  width: 2,
  toRow: (key, value) => [key, value.at],
  valueOf: (items, at) => ({ id: items[at] as string, at: items[at + 1] as string }),
};
const entry = (i: number): [string, { id: string; at: string }] => [`k${i}`, { id: `k${i}`, at: `t${i}` }];
const plain = (n: number) => new Map(Array.from({ length: n }, (_, i) => entry(i)));
const sorted = (map: ReadonlyMap<string, unknown>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));

describe('BucketedMap', () => {
  it('answers size at once and decodes only the bucket a read or write touches', () => {
    const buckets = toBucketsNow(plain(1_000), rows);
    const map = new BucketedMap(rows, buckets);
    expect(map.size).toBe(1_000);
    expect([...map.decodedKeys()]).toEqual([]);
    expect(map.get('k7')).toEqual({ id: 'k7', at: 't7' });
    const decoded = [...map.decodedKeys()];
    expect(decoded).toContain('k7');
    expect(decoded.every((key) => bucketOf(key, map.bucketCount) === bucketOf('k7', map.bucketCount))).toBe(true);
    expect(map.has('absent')).toBe(false);
    map.set('new', { id: 'new', at: 'tn' });
    map.delete('k8');
    expect(map.size).toBe(1_000);
    expect(sorted(map)).toEqual(sorted(new Map([...plain(1_000)].filter(([key]) => key !== 'k8')).set('new', { id: 'new', at: 'tn' })));
  });

  it('keeps strings with commas, percents, quotes and empty strings through a bucket text', () => {
    const items = ['a,b', '100%', '%2C', '"q"', '', 'x\\y', ',,', '%'];
    expect(decodeBucket(encodeBucket(items))).toEqual(items);
    expect(decodeBucket(encodeBucket([]))).toEqual([]);
  });

  it('saves in slices the same buckets as in one call, reusing the texts of buckets nothing decoded', async () => {
    const restored = new BucketedMap(rows, toBucketsNow(plain(3_000), rows));
    const version = PersistentMap.adopt<string, { id: string; at: string }>(restored).set('k1', { id: 'k1', at: 'changed' });
    const untouched = bucketOf('k2999', restored.bucketCount) === bucketOf('k1', restored.bucketCount) ? null : bucketOf('k2999', restored.bucketCount);
    const textBefore = untouched === null ? null : restored.textOf(untouched);
    let turns = 0;
    const saved = await toBuckets(() => version.current(), rows, async () => void (turns += 1));
    expect(turns).toBeGreaterThan(0);
    expect(saved).toEqual(toBucketsNow(version.current(), rows));
    if (untouched !== null) expect(saved.texts[untouched]).toBe(textBefore);
    expect(sorted(new BucketedMap(rows, saved))).toEqual(sorted(new Map(plain(3_000)).set('k1', { id: 'k1', at: 'changed' })));
  });

  it('rebuckets a map that grew far past its bucketing, decoding it in slices first', async () => {
    const small = new BucketedMap(rows, toBucketsNow(plain(32), rows));
    let version = PersistentMap.adopt<string, { id: string; at: string }>(small);
    for (let i = 32; i < 5_000; i++) version = version.set(...entry(i));
    let turns = 0;
    const saved = await toBuckets(() => version.current(), rows, async () => void (turns += 1));
    expect(saved.texts.length).toBeGreaterThan(small.bucketCount * 10);
    expect(sorted(new BucketedMap(rows, saved))).toEqual(sorted(plain(5_000)));
  });

  it('groups a plain map into buckets of ~8 entries, read back whole', () => {
    const buckets = toBucketsNow(plain(1_600), rows);
    expect(buckets.texts.length).toBe(200);
    expect(sorted(new BucketedMap(rows, buckets))).toEqual(sorted(plain(1_600)));
    expect(new BucketedMap(rows, toBucketsNow(new Map(), rows)).size).toBe(0);
  });
});
