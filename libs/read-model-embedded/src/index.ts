export * from './embedded-read-model-store';
export { compareMongoValues, compareCodePoints } from './mongo-sort-order';
export { isSqliteCorruption, markCorrupt, setAsideIfMarkedCorrupt } from './sqlite-corruption';
export { ReadModelStoreFailedError } from './read-model-store-failed.error';
