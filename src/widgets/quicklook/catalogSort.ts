import type { CatalogCell } from '../../api/models';

/** The order of a sorted column. */
export type SortDirection = 'ascending' | 'descending';

/** A catalog's sort: a column index and its direction, or none (file order). */
export interface ICatalogSort {
  readonly column: number;
  readonly direction: SortDirection;
}

/**
 * Compare two cells of one column: numbers numerically, booleans false
 * first, text by locale with numeric parts compared as numbers.
 */
export function compareCells(a: CatalogCell, b: CatalogCell): number {
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    return Number(a) - Number(b);
  }
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/**
 * Row indices of `rows` in the order of `sort` (stable: equal cells keep the
 * file's order). Empty cells (null: NaN or masked) go last in either direction.
 */
export function sortedOrder(
  rows: readonly (readonly CatalogCell[])[],
  sort: ICatalogSort | null
): number[] {
  const order = rows.map((_, index) => index);
  if (sort === null) {
    return order;
  }
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return order.sort((i, j) => {
    const a = rows[i][sort.column] ?? null;
    const b = rows[j][sort.column] ?? null;
    if (a === null || b === null) {
      return a === b ? i - j : a === null ? 1 : -1;
    }
    return sign * compareCells(a, b) || i - j;
  });
}

/** The next sort when a column's header is clicked: ascending, descending, then none. */
export function nextSort(
  current: ICatalogSort | null,
  column: number
): ICatalogSort | null {
  if (current === null || current.column !== column) {
    return { column, direction: 'ascending' };
  }
  return current.direction === 'ascending'
    ? { column, direction: 'descending' }
    : null;
}
