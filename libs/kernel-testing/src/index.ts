export * from './integration-server';
