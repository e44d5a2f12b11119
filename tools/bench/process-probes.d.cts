/** A TCP port nothing listens on right now (on 127.0.0.1). */
export declare function freePort(): Promise<number>;
/** utime + stime of a process in ms (Linux, /proc/<pid>/stat, 10 ms ticks). */
export declare function cpuMsOf(pid: number): number;
/** The same in seconds. */
export declare function cpuSecondsOf(pid: number): number;
/** Resolves, with the ms waited, once the process used at most `maxShare` of a core over `idleMs`, or after `maxWaitMs`. */
export declare function untilIdle(pid: number, options?: { idleMs?: number; maxShare?: number; maxWaitMs?: number }): Promise<number>;
/** Resolves once the app at `base` answers /health/ready with 2xx (asking every `pollMs`); rejects when `child` exited first. */
export declare function untilReady(base: string, child: { readonly exitCode: number | null }, options?: { label?: string; pollMs?: number }): Promise<void>;
/** Runs this process's fetch() of a JSON POST `times` times against a server of its own, so a first measured create does not count the client's first POST. */
export declare function warmClientPosts(times?: number): Promise<void>;
