import { InProcessEventBus } from '@as2-partners/kernel';
import { eventBusContract } from './event-bus.contract';

eventBusContract('InProcessEventBus', async () => new InProcessEventBus(), { retainsEventsWhileGroupStopped: false });
