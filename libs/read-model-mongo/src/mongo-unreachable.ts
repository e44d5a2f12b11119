/** The driver's errors for a server it cannot reach (down, partitioned, closing), as opposed to a refused operation. */
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);

/** Whether `error` says MongoDB could not be reached: the request is answered 503, not 500 (nothing of it was the caller's fault). */
export function isMongoUnreachable(error: unknown): boolean {
  return error instanceof Error && UNREACHABLE.has(error.name);
}
