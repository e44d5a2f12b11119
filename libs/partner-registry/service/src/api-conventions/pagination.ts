export { paginationOf, type Pagination } from '@as2-partners/platform';
