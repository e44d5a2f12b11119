export { startTestPartner, type RunningTestPartner } from './test-partner-server';
export type { TestPartnerOptions } from './test-partner-options';
export { parseFault, type Fault } from './fault';
