import * as React from 'react';

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
  /** Width in pixels (default 100). */
  width?: number;
  /** Whether the header sorts by this column (default true). */
  sortable?: boolean;
  /** Right-align numbers. */
  align?: 'start' | 'end';
  /** Tooltip of the header. */
  title?: string;
  /** The cell's content. */
  render: (row: T, index: number) => React.ReactNode;
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
  /** Height of the scrolling viewport in pixels (default 320). */
  height?: number;
  /** Rows rendered above and below the visible ones (default 8). */
  overscan?: number;
  sort?: ISortState | null;
  onSortChange?: (sort: ISortState) => void;
  /** Called when a row is clicked or Enter is pressed on it. */
  onActivate?: (row: T, index: number) => void;
  /** The key of the highlighted row. */
  activeKey?: string | null;
  /** Extra class names of a row (e.g. to mark exclusive-access data). */
  rowClassName?: (row: T) => string | undefined;
  /** Extra class of the table. */
  className?: string;
}

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
 * A table that renders only the rows in view (plus a few), so it stays fast
 * with tens of thousands of rows: the body is a tall spacer and the rendered
 * rows are positioned where they belong. Headers are sticky and sort on click;
 * arrow keys move between rows and Enter activates one.
 */
export function VirtualTable<T>(props: IVirtualTableProps<T>): JSX.Element {
  const {
    rows,
    columns,
    rowKey,
    label,
    rowHeight = 24,
    height = 320,
    overscan = 8,
    sort,
    onSortChange,
    onActivate,
    activeKey,
    rowClassName,
    className
  } = props;
  const scroller = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [viewport, setViewport] = React.useState(height);
  const [focusIndex, setFocusIndex] = React.useState<number | null>(null);

  const measure = React.useCallback(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    setScrollTop(node.scrollTop);
    // jsdom and hidden panels report 0: keep the configured height then.
    setViewport(node.clientHeight > 0 ? node.clientHeight : height);
  }, [height]);

  React.useEffect(() => {
    measure();
    const node = scroller.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() => measure());
    observer.observe(node);
    return () => observer.disconnect();
  }, [measure]);

  // A new row set starts at the top.
  React.useEffect(() => {
    const node = scroller.current;
    if (
      node &&
      node.scrollTop !== 0 &&
      rows.length * rowHeight < node.scrollTop
    ) {
      node.scrollTop = 0;
      setScrollTop(0);
    }
  }, [rows, rowHeight]);

  const { start, end } = visibleRange(
    scrollTop,
    viewport,
    rowHeight,
    rows.length,
    overscan
  );
  const totalWidth = columns.reduce(
    (sum, column) => sum + (column.width ?? 100),
    0
  );
  const template = columns.map(column => `${column.width ?? 100}px`).join(' ');

  const focusRow = (index: number) => {
    const node = scroller.current;
    if (!node || rows.length === 0) {
      return;
    }
    const target = Math.max(0, Math.min(rows.length - 1, index));
    setFocusIndex(target);
    // Bring the row into view, then focus it once rendered.
    const top = target * rowHeight;
    const headerHeight = rowHeight;
    if (top < node.scrollTop) {
      node.scrollTop = top;
    } else if (top + rowHeight > node.scrollTop + viewport - headerHeight) {
      node.scrollTop = top + rowHeight - viewport + headerHeight;
    }
    setScrollTop(node.scrollTop);
  };

  React.useEffect(() => {
    if (focusIndex === null) {
      return;
    }
    const element = scroller.current?.querySelector<HTMLElement>(
      `[data-index="${focusIndex}"]`
    );
    element?.focus({ preventScroll: true });
  }, [focusIndex, start, end]);

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

  const rendered: JSX.Element[] = [];
  for (let index = start; index < end; index++) {
    const row = rows[index];
    const key = rowKey(row, index);
    const extra = rowClassName?.(row);
    rendered.push(
      <div
        key={key}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={activeKey === key}
        data-index={index}
        data-key={key}
        tabIndex={
          focusIndex === index || (focusIndex === null && index === 0) ? 0 : -1
        }
        className={
          'jp-JwstLab-vtableRow' +
          (activeKey === key ? ' jp-mod-active' : '') +
          (extra ? ` ${extra}` : '')
        }
        style={{
          top: index * rowHeight,
          height: rowHeight,
          gridTemplateColumns: template
        }}
        onClick={() => {
          setFocusIndex(index);
          onActivate?.(row, index);
        }}
        onKeyDown={event => onRowKeyDown(event, index)}
      >
        {columns.map(column => (
          <div
            key={column.id}
            role="cell"
            className={
              'jp-JwstLab-vtableCell' +
              (column.align === 'end' ? ' jp-mod-end' : '')
            }
          >
            {column.render(row, index)}
          </div>
        ))}
      </div>
    );
  }

  return (
    <div
      ref={scroller}
      className={'jp-JwstLab-vtable' + (className ? ` ${className}` : '')}
      style={{ height }}
      role="table"
      aria-label={label}
      aria-rowcount={rows.length + 1}
      onScroll={measure}
    >
      <div
        role="row"
        aria-rowindex={1}
        className="jp-JwstLab-vtableHeader"
        style={{
          gridTemplateColumns: template,
          width: totalWidth,
          height: rowHeight
        }}
      >
        {columns.map(column => {
          const sorted = sort?.column === column.id ? sort.direction : null;
          const sortable = (column.sortable ?? true) && onSortChange;
          return (
            <div
              key={column.id}
              role="columnheader"
              aria-sort={sorted ?? 'none'}
              className={
                'jp-JwstLab-vtableHeaderCell' +
                (column.align === 'end' ? ' jp-mod-end' : '')
              }
              data-column={column.id}
              title={column.title}
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
            </div>
          );
        })}
      </div>
      <div
        role="rowgroup"
        className="jp-JwstLab-vtableBody"
        style={{ height: rows.length * rowHeight, width: totalWidth }}
      >
        {rendered}
      </div>
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
