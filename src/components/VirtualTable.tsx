import * as React from 'react';

import { useElementHeight } from './useElementHeight';

/** Which way a column is sorted. */
export type SortDirection = 'ascending' | 'descending';

/** The column a table is sorted by, and which way. */
export interface ISortState {
  column: string;
  direction: SortDirection;
}

/** One column of a `VirtualTable`. */
export interface IVirtualColumn<T> {
  /** Stable id; also what `ISortState.column` names. */
  id: string;
  /** Header text. */
  label: string;
  /** Width in pixels; without widths the columns size to their content. */
  width?: number;
  /** Whether the header sorts by this column (default true, when the table sorts). */
  sortable?: boolean;
  /** Right-align numbers. */
  align?: 'start' | 'end';
  /** Tooltip of the header. */
  title?: string;
  /** The cell's content. */
  render: (row: T, index: number) => React.ReactNode;
  /** Tooltip of a cell (e.g. its whole text when it is cut). */
  cellTitle?: (row: T) => string | undefined;
  /**
   * A control under the header (e.g. the column's filter); with any, a second
   * sticky header row holds them.
   */
  filter?: React.ReactNode;
}

/** Properties of a `VirtualTable`. */
export interface IVirtualTableProps<T> {
  rows: readonly T[];
  columns: readonly IVirtualColumn<T>[];
  /** A key unique among `rows`. */
  rowKey: (row: T, index: number) => string;
  /** Accessible name of the table. */
  label: string;
  /** Height of every row in pixels (default 24). */
  rowHeight?: number;
  /** Height of the scrolling viewport in pixels; the stylesheet's when absent. */
  height?: number;
  /** Rows rendered above and below the visible ones (default 10). */
  overscan?: number;
  sort?: ISortState | null;
  onSortChange?: (sort: ISortState) => void;
  /**
   * Called when a row is clicked or Enter is pressed on it. With it, rows are
   * focusable (arrow keys move between them) and the table is a grid.
   */
  onActivate?: (row: T, index: number) => void;
  /** The key of the highlighted row. */
  activeKey?: string | null;
  /** Extra class names of a row (e.g. to mark exclusive-access data). */
  rowClassName?: (row: T, index: number) => string | undefined;
  /** Extra class of the scrolling container. */
  className?: string;
}

/** Rows assumed visible before the viewport's height is known (e.g. in tests). */
const DEFAULT_WINDOW = 60;

/** The rows to render for a scroll position: a window around what is visible. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  overscan: number
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const count = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, Math.min(rowCount, first - overscan));
  const end = Math.min(rowCount, first + count + overscan);
  return { start, end };
}

/**
 * The one table of the front end: a real `<table>` that renders only the rows
 * in view (plus `overscan`), so it stays fast with tens of thousands of rows.
 * Spacer rows above and below keep the scroll bar true to the full length.
 * Headers are sticky and sort on click; with `onActivate`, arrow keys move
 * between rows and Enter or Space activates one.
 */
export function VirtualTable<T>(props: IVirtualTableProps<T>): JSX.Element {
  const {
    rows,
    columns,
    rowKey,
    label,
    rowHeight = 24,
    height,
    overscan = 10,
    sort,
    onSortChange,
    onActivate,
    activeKey,
    rowClassName,
    className
  } = props;
  const scroller = React.useRef<HTMLDivElement>(null);
  const measured = useElementHeight(scroller);
  // Where the user scrolled this row set to: a new row set starts at the top.
  const [scroll, setScroll] = React.useState({ rows, top: 0 });
  const [focusIndex, setFocusIndex] = React.useState<number | null>(null);
  const interactive = onActivate !== undefined;
  const scrollTop = scroll.rows === rows ? scroll.top : 0;
  const viewport =
    measured > 0 ? measured : (height ?? DEFAULT_WINDOW * rowHeight);

  // A new row set starts at the top.
  React.useEffect(() => {
    const node = scroller.current;
    if (node && node.scrollTop !== 0) {
      node.scrollTop = 0;
    }
  }, [rows]);

  const { start, end } = visibleRange(
    scrollTop,
    viewport,
    rowHeight,
    rows.length,
    overscan
  );

  // Focus the row the keyboard moved to, once it is rendered.
  React.useEffect(() => {
    if (focusIndex === null) {
      return;
    }
    scroller.current
      ?.querySelector<HTMLElement>(`tr[data-index="${focusIndex}"]`)
      ?.focus({ preventScroll: true });
  }, [focusIndex, start, end]);

  const onScroll = (event: React.UIEvent<HTMLDivElement>) =>
    setScroll({ rows, top: event.currentTarget.scrollTop });

  const focusRow = (index: number) => {
    const node = scroller.current;
    if (!node || rows.length === 0) {
      return;
    }
    const target = Math.max(0, Math.min(rows.length - 1, index));
    setFocusIndex(target);
    // Bring the row into view below the sticky header; it is focused once rendered.
    const top = target * rowHeight;
    if (top < node.scrollTop) {
      node.scrollTop = top;
    } else if (top + 2 * rowHeight > node.scrollTop + viewport) {
      node.scrollTop = top + 2 * rowHeight - viewport;
    }
    setScroll({ rows, top: node.scrollTop });
  };

  const onRowKeyDown = (event: React.KeyboardEvent, index: number) => {
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: rows.length - 1
    };
    if (event.key in moves) {
      event.preventDefault();
      focusRow(moves[event.key]);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onActivate?.(rows[index], index);
    }
  };

  const widths = columns.every(column => column.width !== undefined);
  const totalWidth = columns.reduce(
    (sum, column) => sum + (column.width ?? 0),
    0
  );
  const endClass = (column: IVirtualColumn<T>) =>
    column.align === 'end' ? 'jp-mod-end' : undefined;
  const spacer = (size: number, key: string) =>
    size > 0 ? (
      <tr
        key={key}
        aria-hidden="true"
        className="jp-JwstLab-vtableSpacer"
        style={{ height: size }}
      >
        <td colSpan={columns.length} />
      </tr>
    ) : null;

  const rendered: JSX.Element[] = [];
  for (let index = start; index < end; index++) {
    const row = rows[index];
    const key = rowKey(row, index);
    const active = activeKey === key;
    const extra = rowClassName?.(row, index);
    rendered.push(
      <tr
        key={key}
        aria-rowindex={index + 2}
        aria-selected={interactive ? active : undefined}
        data-index={index}
        data-key={key}
        tabIndex={
          !interactive
            ? undefined
            : focusIndex === index || (focusIndex === null && index === 0)
              ? 0
              : -1
        }
        className={[
          'jp-JwstLab-vtableRow',
          active ? 'jp-mod-active' : '',
          interactive ? 'jp-mod-interactive' : '',
          extra ?? ''
        ]
          .filter(Boolean)
          .join(' ')}
        style={{ height: rowHeight }}
        onClick={
          interactive
            ? () => {
                setFocusIndex(index);
                onActivate(row, index);
              }
            : undefined
        }
        onKeyDown={
          interactive ? event => onRowKeyDown(event, index) : undefined
        }
      >
        {columns.map(column => (
          <td
            key={column.id}
            className={endClass(column)}
            title={column.cellTitle?.(row)}
          >
            {column.render(row, index)}
          </td>
        ))}
      </tr>
    );
  }

  return (
    <div
      ref={scroller}
      className={['jp-JwstLab-vtable', className].filter(Boolean).join(' ')}
      style={height === undefined ? undefined : { height }}
      // Without focusable rows, the container takes the focus so keys scroll it.
      tabIndex={interactive ? undefined : 0}
      data-rows={rows.length}
      onScroll={onScroll}
    >
      <table
        role={interactive ? 'grid' : undefined}
        aria-label={label}
        aria-rowcount={rows.length + 1}
        className={widths ? 'jp-mod-fixed' : undefined}
        style={widths ? { width: totalWidth } : undefined}
      >
        {widths && (
          <colgroup>
            {columns.map(column => (
              <col key={column.id} style={{ width: column.width }} />
            ))}
          </colgroup>
        )}
        <thead>
          <tr aria-rowindex={1} style={{ height: rowHeight }}>
            {columns.map(column => {
              const sortable = (column.sortable ?? true) && onSortChange;
              const sorted = sort?.column === column.id ? sort.direction : null;
              return (
                <th
                  key={column.id}
                  scope="col"
                  aria-sort={sortable ? (sorted ?? 'none') : undefined}
                  className={endClass(column)}
                  data-column={column.id}
                  title={column.title ?? column.label}
                >
                  {sortable ? (
                    <button
                      type="button"
                      className="jp-JwstLab-vtableSort"
                      onClick={() =>
                        onSortChange({
                          column: column.id,
                          direction:
                            sorted === 'ascending' ? 'descending' : 'ascending'
                        })
                      }
                    >
                      {column.label}
                      <span className="jp-JwstLab-vtableSortMark" aria-hidden>
                        {sorted === 'ascending'
                          ? ' ▲'
                          : sorted === 'descending'
                            ? ' ▼'
                            : ''}
                      </span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              );
            })}
          </tr>
          {columns.some(column => column.filter !== undefined) ? (
            <tr
              className="jp-JwstLab-vtableFilters"
              style={{ height: rowHeight }}
            >
              {columns.map(column => (
                <th
                  key={column.id}
                  className={endClass(column)}
                  style={{ top: rowHeight }}
                >
                  {column.filter}
                </th>
              ))}
            </tr>
          ) : null}
        </thead>
        <tbody className="jp-JwstLab-vtableBody">
          {spacer(start * rowHeight, 'before')}
          {rendered}
          {spacer((rows.length - end) * rowHeight, 'after')}
        </tbody>
      </table>
    </div>
  );
}

/** Compare two cell values for sorting: nulls last, numbers by value, text naturally. */
export function compareValues(a: unknown, b: unknown): number {
  const aMissing = a === null || a === undefined || a === '';
  const bMissing = b === null || b === undefined || b === '';
  if (aMissing || bMissing) {
    return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  return collator.compare(String(a), String(b));
}

const collator = new Intl.Collator(undefined, {
  numeric: true,
  sensitivity: 'base'
});

/**
 * `rows` sorted by `value(row, column)` (a new array; stable; missing values
 * stay last in both directions).
 */
export function sortRows<T>(
  rows: readonly T[],
  sort: ISortState | null | undefined,
  value: (row: T, column: string) => unknown
): readonly T[] {
  if (!sort) {
    return rows;
  }
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const keyed = rows.map((row, index) => ({
    row,
    index,
    key: value(row, sort.column)
  }));
  keyed.sort((a, b) => {
    const aMissing = a.key === null || a.key === undefined || a.key === '';
    const bMissing = b.key === null || b.key === undefined || b.key === '';
    if (aMissing || bMissing) {
      return aMissing === bMissing ? a.index - b.index : aMissing ? 1 : -1;
    }
    return sign * compareValues(a.key, b.key) || a.index - b.index;
  });
  return keyed.map(entry => entry.row);
}

/** Rows whose cells contain every word of `search` (case-insensitive). */
export function filterRows(
  rows: readonly string[][],
  search: string
): readonly string[][] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return rows;
  }
  return rows.filter(row => {
    const text = row.join('\u0000').toLowerCase();
    return words.every(word => text.includes(word));
  });
}
