import { Test } from '@nestjs/testing';
import { CompiledCodeKeptOnStop, KEEP_COMPILED_CODE } from './compiled-code-kept-on-stop';

describe("CompiledCodeKeptOnStop (the built entry's code cache written at the stop)", () => {
  const host = globalThis as unknown as Record<symbol, unknown>;
  afterEach(() => delete host[KEEP_COMPILED_CODE]);

  it("calls the entry's writer once when the app stops, not before", async () => {
    const calls: string[] = [];
    host[KEEP_COMPILED_CODE] = () => calls.push('keep');
    const app = await Test.createTestingModule({ providers: [CompiledCodeKeptOnStop] }).compile();
    await app.init();
    expect(calls).toEqual([]);
    await app.close();
    expect(calls).toEqual(['keep']);
  });

  it('does nothing in a process started without such an entry', async () => {
    const app = await Test.createTestingModule({ providers: [CompiledCodeKeptOnStop] }).compile();
    await app.init();
    await expect(app.close()).resolves.toBeUndefined();
  });
});
