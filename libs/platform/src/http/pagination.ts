export interface Pagination {
  readonly current_page: number;
  readonly last_page: number;
  readonly per_page: number;
  readonly total: number;
  /** 1-based index of the first item on the page; null on an empty page. */
  readonly from: number | null;
  readonly to: number | null;
}

export function paginationOf(page: number, perPage: number, total: number, itemsOnPage: number): Pagination {
  const first = (page - 1) * perPage + 1;
  return {
    current_page: page,
    last_page: Math.max(1, Math.ceil(total / perPage)),
    per_page: perPage,
    total,
    from: itemsOnPage > 0 ? first : null,
    to: itemsOnPage > 0 ? first + itemsOnPage - 1 : null,
  };
}
