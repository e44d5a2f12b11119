export * from './partner-registry.module';
export * from './partner-registry.error-statuses';
export * from './queries/partner-views/partner-views.projection';
export * from './queries/partner-views/partner-queries';
export * from './queries/partner-views/partner-view.document';
export * from './queries/partner-views/partner-list.query';
export * from './secrets/secret-sealer';
export * from './secrets/tenant-secrets';
