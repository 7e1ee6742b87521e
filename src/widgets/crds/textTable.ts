import type { IVirtualColumn } from '../../components/VirtualTable';

/**
 * Columns of a table whose rows are cell texts in column order (rules, diffs).
 *
 * `key` is the index of the column a reader looks for first (a rule's
 * REFERENCE, a diff's Change): it is shown first, and the stylesheet keeps it
 * in view while the other columns scroll sideways, so a narrow view never
 * hides it.
 */
export function textColumns(
  names: readonly string[],
  options: { key?: number } = {}
): IVirtualColumn<string[]>[] {
  const columns = names.map((name, index) => ({
    id: String(index),
    label: name,
    sortable: false,
    render: (row: string[]) => row[index],
    cellTitle: (row: string[]) => row[index]
  }));
  const key = options.key;
  if (key === undefined || key < 0 || key >= columns.length) {
    return columns;
  }
  return [columns[key], ...columns.filter((_, index) => index !== key)];
}

/** Rows of text have no identity of their own: their position is their key. */
export function rowIndexKey(_: string[], index: number): string {
  return String(index);
}
