import type { IVirtualColumn } from '../../components/VirtualTable';

/** Columns of a table whose rows are cell texts in column order (rules, diffs). */
export function textColumns(
  names: readonly string[]
): IVirtualColumn<string[]>[] {
  return names.map((name, index) => ({
    id: String(index),
    label: name,
    sortable: false,
    render: row => row[index],
    cellTitle: row => row[index]
  }));
}

/** Rows of text have no identity of their own: their position is their key. */
export function rowIndexKey(_: string[], index: number): string {
  return String(index);
}
