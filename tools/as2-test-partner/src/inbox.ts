import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const maxNameLength = 180;

/**
 * A file name safe to create inside the inbox: only the last path segment of the sender's name, restricted to
 * [A-Za-z0-9._-], never "." or "..", never hidden; undefined when nothing usable is left.
 */
export function safeInboxName(untrusted: string | undefined): string | undefined {
  if (!untrusted) return undefined;
  const lastSegment = untrusted.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[.]+/, '')
    .slice(0, maxNameLength);
  return /[A-Za-z0-9]/.test(cleaned) ? cleaned : undefined;
}

/** Writes a received payload, named by its filename or else its Message-ID; never overwrites an earlier one. */
export async function writeToInbox(inboxDir: string, payload: Buffer, filename: string | undefined, messageId: string): Promise<string> {
  await mkdir(inboxDir, { recursive: true });
  const name = safeInboxName(filename) ?? safeInboxName(messageId.replace(/^<|>$/g, '')) ?? 'message';
  for (let attempt = 0; ; attempt += 1) {
    const candidate = join(inboxDir, attempt === 0 ? name : `${attempt}-${name}`);
    try {
      await writeFile(candidate, payload, { flag: 'wx' });
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 1000) throw error;
    }
  }
}
