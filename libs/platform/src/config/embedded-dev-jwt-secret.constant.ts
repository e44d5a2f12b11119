import devSecret from './embedded-dev-jwt-secret.json';

/** The documented development secret: embedded mode falls back to it (with a loud warning) when JWT_SECRET is unset. */
export const EMBEDDED_DEV_JWT_SECRET: string = devSecret.secret;
