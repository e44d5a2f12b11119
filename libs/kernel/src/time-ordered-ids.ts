import { randomFillSync } from 'node:crypto';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const POOL_IDS = 256;
/** Random bytes for 256 ids at a time (one system call for many ids, as `randomUUID` does). */
const pool = Buffer.alloc(POOL_IDS * 10);
let used = POOL_IDS;
/** The id being written, as ASCII: 8-4-4-4-12 hex digits. */
const text = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
/** Where each of the 16 bytes goes in the text. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34] as const;

function put(index: number, byte: number): void {
  const at = AT[index] as number;
  text[at] = HEX_DIGITS[byte >>> 4] as number;
  text[at + 1] = HEX_DIGITS[byte & 0x0f] as number;
}

/**
 * A version 7 UUID (RFC 9562): the Unix time in milliseconds, then 74 random bits. Ids made later sort after earlier
 * ones, so a store's index of event ids grows at its end instead of at random pages (a random UUID dirties one index
 * page per insert once the index outgrows a commit).
 */
export function timeOrderedUuid(nowMs: number = Date.now()): string {
  if (used === POOL_IDS) {
    randomFillSync(pool);
    used = 0;
  }
  const r = used * 10;
  used += 1;
  // 48 bits of milliseconds, big-endian (two parts: bitwise operators work on 32 bits).
  const hi = Math.floor(nowMs / 0x1000000);
  const lo = nowMs % 0x1000000;
  put(0, (hi >>> 16) & 0xff);
  put(1, (hi >>> 8) & 0xff);
  put(2, hi & 0xff);
  put(3, lo >>> 16);
  put(4, (lo >>> 8) & 0xff);
  put(5, lo & 0xff);
  put(6, 0x70 | ((pool[r] as number) & 0x0f));
  put(7, pool[r + 1] as number);
  put(8, 0x80 | ((pool[r + 2] as number) & 0x3f));
  for (let i = 3; i < 10; i += 1) put(6 + i, pool[r + i] as number);
  return text.toString('latin1', 0, 36);
}
