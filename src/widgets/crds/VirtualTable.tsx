import * as React from 'react';

import { visibleRange } from '../../components/VirtualTable';

/** Props of {@link VirtualTable}. */
export interface IVirtualTableProps {
  /** Column headings. */
  columns: string[];
  /** Rows of cell texts, in column order. */
  rows: string[][];
  /** Height of one row in pixels (rows are one line, ellipsised). */
  rowHeight?: number;
  /** Rows rendered above and below the visible window. */
  overscan?: number;
  /** Class of the scrolling container. */
  className?: string;
  /** Accessible name of the table. */
  label: string;
  /** Extra class for a row (by index in `rows`). */
  rowClass?: (row: string[], index: number) => string | undefined;
  /** Cells rendered differently, e.g. with a link; plain text otherwise. */
  renderCell?: (
    value: string,
    column: number,
    row: string[]
  ) => React.ReactNode | undefined;
}

/** Rows rendered before the container's height is known (e.g. in tests). */
const DEFAULT_WINDOW = 60;

/**
 * A table that renders only the rows in view (plus `overscan`), so rule
 * tables of thousands of rows scroll smoothly. Rows have a fixed height;
 * spacer rows keep the scroll bar true to the full length.
 */
export function VirtualTable({
  columns,
  rows,
  rowHeight = 24,
  overscan = 20,
  className,
  label,
  rowClass,
  renderCell
}: IVirtualTableProps): JSX.Element {
  const container = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [height, setHeight] = React.useState(0);

  React.useEffect(() => {
    const node = container.current;
    if (!node) {
      return;
    }
    const measure = () => setHeight(node.clientHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  // A new row set starts at the top.
  React.useEffect(() => {
    setScrollTop(0);
    if (container.current) {
      container.current.scrollTop = 0;
    }
  }, [rows]);

  const { start: first, end: last } = visibleRange(
    scrollTop,
    height > 0 ? height : DEFAULT_WINDOW * rowHeight,
    rowHeight,
    rows.length,
    overscan
  );
  const top = first * rowHeight;
  const bottom = (rows.length - last) * rowHeight;

  return (
    <div
      ref={container}
      className={['jp-JwstLab-virtualTable', className]
        .filter(Boolean)
        .join(' ')}
      onScroll={event => setScrollTop(event.currentTarget.scrollTop)}
      tabIndex={0}
      data-rows={rows.length}
    >
      <table aria-label={label} aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            {columns.map(column => (
              <th key={column} scope="col" title={column}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {top > 0 && (
            <tr aria-hidden="true" style={{ height: top }}>
              <td colSpan={columns.length} />
            </tr>
          )}
          {rows.slice(first, last).map((row, offset) => {
            const index = first + offset;
            return (
              <tr
                key={index}
                aria-rowindex={index + 2}
                className={rowClass?.(row, index)}
                style={{ height: rowHeight }}
              >
                {row.map((value, column) => (
                  <td key={column} title={value}>
                    {renderCell?.(value, column, row) ?? value}
                  </td>
                ))}
              </tr>
            );
          })}
          {bottom > 0 && (
            <tr aria-hidden="true" style={{ height: bottom }}>
              <td colSpan={columns.length} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Rows whose cells contain every word of `search` (case-insensitive). */
export function filterRows(rows: string[][], search: string): string[][] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return rows;
  }
  return rows.filter(row => {
    const text = row.join('\u0000').toLowerCase();
    return words.every(word => text.includes(word));
  });
}
