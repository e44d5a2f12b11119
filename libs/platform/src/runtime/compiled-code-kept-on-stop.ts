import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

/** Where a built app's entry (tools/build/module-cached-entry.cjs, compile-cached-entry.cjs) leaves its cache's writer. */
export const KEEP_COMPILED_CODE = Symbol.for('as2-partners.keep-compiled-code');

/**
 * At the stop, asks the built app's entry to write its code cache again: the functions this process compiled after its
 * start (a create's path, run for the first time an hour after a restart) are then kept too, and the next start runs
 * them from bytecode rather than compiling them in its first such request. The entry writes only when they add to the
 * cache (synchronously: the process serves nothing more by then). A process started otherwise (tests, `nx serve`) has
 * no such entry: nothing happens.
 */
@Injectable()
export class CompiledCodeKeptOnStop implements OnApplicationShutdown {
  onApplicationShutdown(): void {
    const keep = (globalThis as unknown as Record<symbol, unknown>)[KEEP_COMPILED_CODE];
    if (typeof keep === 'function') keep();
  }
}
