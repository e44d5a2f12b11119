export * from './certificate-lifecycle.module';
export * from './certificate-lifecycle.service-name';
export { ActivationScheduler, type DueActivations, type ActivationSchedulerOptions } from './scheduler/activation-scheduler';
export { ActivationSchedulerLifecycle } from './scheduler/activation-scheduler.lifecycle';
export { RolloverActivation, type PartnerScope } from './trust/rollover-activation';
export { HttpTimestamper, openTimestamper, TIMESTAMPER, type Timestamper } from './timestamping/timestamper';
export { ExpiryEvaluator } from './expiry/expiry-evaluator';
