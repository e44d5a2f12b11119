import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, Logger } from 'pino';

/**
 * Fastify's `childLoggerFactory`: a request's logger (`request.log`, the request id bound) whose pino child is made only
 * when a line is first written at a level the logger writes. Making one redacts its bindings and sets its level (~1 %
 * of a create's CPU on the event loop), and most requests write no line at the levels a deployment runs at (`warn`,
 * `error`: the "request completed" line is `info`). A route's own log level makes the child at once, as Fastify does.
 * `parent` is the process's pino logger (`createRootLogger`, Fastify's `loggerInstance`).
 */
export function requestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  const root = parent as Logger;
  if (options.level !== undefined) return root.child(bindings, options);
  return new LazyRequestLogger(root, bindings, options) as unknown as FastifyBaseLogger;
}

type Write = (...args: unknown[]) => void;

/** The part of pino's logger Fastify and this code use: levels, `child`, `bindings`, `isLevelEnabled`. */
class LazyRequestLogger {
  private made: Logger | null = null;

  constructor(
    private readonly parent: Logger,
    private readonly requestBindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): LevelWithSilentOrString {
    return (this.made ?? this.parent).level;
  }

  set level(level: LevelWithSilentOrString) {
    this.logger().level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  silent(): void {
    // pino's `silent` writes nothing
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger().child(bindings, options);
  }

  bindings(): Bindings {
    return this.made ? this.made.bindings() : { ...this.parent.bindings(), ...this.requestBindings };
  }

  isLevelEnabled(level: string): boolean {
    return (this.made ?? this.parent).isLevelEnabled(level);
  }

  /** Until the child is made its level is the parent's, as a child made now would take it. */
  private write(level: Level, args: unknown[]): void {
    if (!(this.made ?? this.parent).isLevelEnabled(level)) return;
    const logger = this.logger();
    (logger[level] as Write).apply(logger, args);
  }

  private logger(): Logger {
    return (this.made ??= this.parent.child(this.requestBindings, this.options));
  }
}
