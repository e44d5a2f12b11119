import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CannotStartError } from '@as2-partners/kernel';
import { SqliteEventStore } from './sqlite-event-store';
import { EventStoreLockedError } from './sqlite-writer-lock';

const workspaceRoot = resolve(__dirname, '../../..');
const childScript = resolve(__dirname, '../test/lock-child.ts');

/** Runs test/lock-child.ts; resolves with its first line (`open` or `locked: …`) and the process. */
function openInChild(file: string): Promise<{ line: string; child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', childScript, file], {
    cwd: workspaceRoot,
    env: { ...process.env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((done, fail) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const newline = out.indexOf('\n');
      if (newline >= 0) done({ line: out.slice(0, newline), child, exited });
    });
    void exited.then((code) => fail(new Error(`child exited ${code} before a line: ${stderr}`)));
  });
}

describe('EVENT_STORE=sqlite single writer (exclusiveWriter)', () => {
  let dir: string;
  let file: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-lock-'));
    file = join(dir, 'events.sqlite');
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second process with a message naming the file, while this process may open the store again', async () => {
    const first = await SqliteEventStore.open(file, { exclusiveWriter: true });
    const second = await SqliteEventStore.open(file, { exclusiveWriter: true });
    const other = await openInChild(file);
    children.push(other.child);
    expect(other.line).toBe(`locked: The event store ${file} is in use by another process. EVENT_STORE=sqlite has one writer: a second one would publish every event twice. Stop the other process, or give this one its own DATA_DIR.`);
    expect(await other.exited).toBe(3);
    // A refusal whose message says it all: a deployable's main prints it as one line, not a stack.
    expect(new EventStoreLockedError(file)).toBeInstanceOf(CannotStartError);

    await first.close();
    const stillHeld = await openInChild(file);
    children.push(stillHeld.child);
    expect(stillHeld.line).toMatch(/^locked: /);
    await second.close();
    const afterRelease = await openInChild(file);
    children.push(afterRelease.child);
    expect(afterRelease.line).toBe('open');
  });

  it('is free again as soon as the holder is killed (kill -9 leaves no stale lock)', async () => {
    const holder = await openInChild(file);
    children.push(holder.child);
    expect(holder.line).toBe('open');
    await expect(SqliteEventStore.open(file, { exclusiveWriter: true })).rejects.toThrow(/in use by another process/);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const store = await SqliteEventStore.open(file, { exclusiveWriter: true });
    await store.close();
  });

  it('leaves a store opened without the option shareable, as the multi-process contract needs', async () => {
    const holder = await openInChild(file);
    children.push(holder.child);
    const shared = await SqliteEventStore.open(file);
    await shared.close();
  });
});
