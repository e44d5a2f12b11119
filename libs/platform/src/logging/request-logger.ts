import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, Logger } from 'pino';

/**
 * Fastify's child logger factory (`setChildLoggerFactory`): a request's logger (`request.log`, the request id bound)
 * whose pino child is made only when a line is first written at a level the logger writes. Making one redacts its
 * bindings and sets its level (~1 % of a create's CPU on the event loop), and most requests write no line at the levels
 * a deployment runs at (`warn`, `error`: the "request completed" line is `info`). Fastify passes every route's log level
 * (the server's unless the route sets its own): that level decides, as it would the child's.
 * `parent` is the process's pino logger (`createRootLogger`, Fastify's `loggerInstance`).
 */
export function requestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger;
}

type Write = (...args: unknown[]) => void;

/** The part of pino's logger Fastify and this code use: levels, `child`, `bindings`, `isLevelEnabled`. */
class LazyRequestLogger {
  private made: Logger | null = null;
  /** The level the child takes when made: the route's, else the parent's. */
  private readonly ownLevel: string;

  constructor(
    private readonly parent: Logger,
    private readonly requestBindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {
    // pino's child keeps its parent's level for an empty one (Fastify's when neither the server nor the route set one)
    this.ownLevel = options.level || parent.level;
  }

  get level(): LevelWithSilentOrString {
    return this.made?.level ?? this.ownLevel;
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
    if (this.made) return this.made.isLevelEnabled(level);
    // pino's own rule, on the level the child would take ('silent' is Infinity: nothing)
    const values = this.parent.levels.values;
    const wanted = values[level];
    const own = values[this.ownLevel];
    return wanted !== undefined && own !== undefined && wanted >= own;
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const logger = this.logger();
    (logger[level] as Write).apply(logger, args);
  }

  private logger(): Logger {
    return (this.made ??= this.parent.child(this.requestBindings, this.options));
  }
}
