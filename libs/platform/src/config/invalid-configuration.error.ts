/** A bad or missing environment variable: start-up stops with this one line, never a stack trace. */
export class InvalidConfigurationError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'InvalidConfigurationError';
  }
}
