export * from './certificate-lifecycle.module';
export * from './certificate-lifecycle.service-name';
export { ActivationScheduler, type DueActivations, type ActivationSchedulerOptions } from './schedules/rollover-activation/activation-scheduler';
export { ActivationSchedulerLifecycle } from './schedules/rollover-activation/activation-scheduler.lifecycle';
export { RolloverActivation, type PartnerScope } from './schedules/rollover-activation/rollover-activation';
export { HttpTimestamper, openTimestamper, TIMESTAMPER, type Timestamper } from './timestamping/timestamper';
export { ExpiryEvaluator } from './schedules/expiry-notices/expiry-evaluator';
