export * from './open-infrastructure';
