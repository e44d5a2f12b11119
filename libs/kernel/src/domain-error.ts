/**
 * A rule violation with a stable machine-readable code (e.g. `DUPLICATE_AS2_ID`). Mapped to HTTP in one
 * place at the edge; domain code never knows about status codes.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The request field concerned, when there is one (goes into `errors.{field}`). */
    readonly field?: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
