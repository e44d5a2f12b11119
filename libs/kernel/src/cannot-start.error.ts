/**
 * A start refused for a reason its message tells an operator in full (another process holds the data directory, …): a
 * deployable's main prints it as one line, not as a stack.
 */
export class CannotStartError extends Error {}
