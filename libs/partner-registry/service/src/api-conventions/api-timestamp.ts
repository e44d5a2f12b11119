export { toApiTimestamp } from '@as2-partners/platform';
