export * from './auth/caller';
export * from './auth/request-context.decorator';
