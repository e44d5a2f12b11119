export * from './partner-registry.module';
export * from './partner-registry.error-statuses';
export * from './read-model/partner-views.projection';
export * from './read-model/partner-queries';
export * from './read-model/partner-view.document';
export * from './read-model/partner-list.query';
export * from './secrets/secret-sealer';
export * from './secrets/tenant-secrets';
