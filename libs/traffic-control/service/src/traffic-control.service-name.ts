/** Names this service's topic (`as2.traffic-control.events`), outbox checkpoint and consumer groups. */
export const TRAFFIC_CONTROL_SERVICE = 'traffic-control';
