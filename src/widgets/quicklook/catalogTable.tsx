import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { CatalogCell, ICatalogColumn } from '../../api/models';
import { baseName } from '../../components/format';
import { CatalogTableModel, PAGE_SIZE } from '../../models/catalogTableModel';
import { useModel } from '../../models/useModel';

/** Props of {@link CatalogTable}. */
export interface ICatalogTableProps {
  model: CatalogTableModel;
  trans: TranslationBundle;
  /** Open the catalog's image in a quick look linked to this table. */
  onShowImage?: (path: string) => void;
}

/**
 * A source catalog as a sortable table (units in the headers, descriptions
 * as their tooltips), a page of rows at a time; a row click selects the
 * source and centres the linked quick look on it.
 */
export function CatalogTable({
  model: tableModel,
  trans,
  onShowImage
}: ICatalogTableProps): JSX.Element {
  const model = useModel(tableModel);
  const { table, sort } = model;
  const selectedRow = React.useRef<HTMLTableRowElement>(null);
  React.useEffect(() => {
    selectedRow.current?.scrollIntoView?.({ block: 'nearest' });
  }, [model.selected, model.page]);

  if (table.status === 'error') {
    return (
      <div className="jp-JwstLab-catalogTable">
        <p className="jp-JwstLab-fieldError" role="alert">
          {trans.__(
            'Cannot read %1: %2',
            baseName(model.path),
            table.error?.message ?? ''
          )}
        </p>
        <button
          type="button"
          className="jp-mod-styled"
          onClick={() => void model.reload()}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  const value = table.value;
  if (!value) {
    return (
      <div className="jp-JwstLab-catalogTable">
        <p role="status" aria-busy="true">
          {trans.__('Reading the catalog…')}
        </p>
      </div>
    );
  }
  const first = model.page * PAGE_SIZE;
  const rows = model.pageRows;
  return (
    <div className="jp-JwstLab-catalogTable" data-path={model.path}>
      <div className="jp-JwstLab-catalogToolbar" role="toolbar">
        <span className="jp-JwstLab-catalogCount">
          {value.total > value.rows.length
            ? trans.__(
                '%1 of %2 sources (the first %1)',
                value.rows.length,
                value.total
              )
            : trans._n('%1 source', '%1 sources', value.total)}
        </span>
        {value.image && onShowImage && (
          <button
            type="button"
            className="jp-mod-styled"
            onClick={() => onShowImage(value.image!)}
            title={trans.__(
              'Open %1 with these sources',
              baseName(value.image)
            )}
          >
            {model.image ? trans.__('Show image') : trans.__('Open image')}
          </button>
        )}
        <span className="jp-JwstLab-catalogPager">
          <button
            type="button"
            className="jp-mod-styled"
            disabled={model.page === 0}
            onClick={() => model.setPage(model.page - 1)}
            aria-label={trans.__('Previous page')}
          >
            ‹
          </button>
          <span>
            {rows.length === 0
              ? '0'
              : trans.__('%1–%2', first + 1, first + rows.length)}
          </span>
          <button
            type="button"
            className="jp-mod-styled"
            disabled={model.page >= model.pageCount - 1}
            onClick={() => model.setPage(model.page + 1)}
            aria-label={trans.__('Next page')}
          >
            ›
          </button>
        </span>
      </div>
      <div className="jp-JwstLab-catalogScroll">
        <table className="jp-JwstLab-catalogGrid">
          <thead>
            <tr>
              {value.columns.map((column, index) => {
                const direction =
                  sort?.column === index ? sort.direction : 'none';
                return (
                  <th
                    key={column.name}
                    scope="col"
                    aria-sort={direction}
                    title={column.description ?? undefined}
                  >
                    <button
                      type="button"
                      className="jp-JwstLab-sortButton"
                      data-column={column.name}
                      onClick={() => model.sortBy(index)}
                    >
                      {column.name}
                      {column.unit && (
                        <span className="jp-JwstLab-columnUnit">
                          {` [${column.unit}]`}
                        </span>
                      )}
                      <span aria-hidden="true">
                        {direction === 'ascending'
                          ? ' ▲'
                          : direction === 'descending'
                            ? ' ▼'
                            : ''}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map(index => {
              const selected = index === model.selected;
              return (
                <tr
                  key={index}
                  ref={selected ? selectedRow : undefined}
                  data-index={index}
                  className={selected ? 'jp-mod-selected' : undefined}
                  aria-selected={selected}
                  tabIndex={0}
                  onClick={() => model.select(index)}
                  onKeyDown={event => {
                    if (event.key === 'Enter' || event.key === ' ') {
                      event.preventDefault();
                      model.select(index);
                    }
                  }}
                >
                  {value.rows[index].map((cell, column) => (
                    <td
                      key={column}
                      className={cellClass(value.columns[column])}
                    >
                      {formatCell(cell, value.columns[column])}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function cellClass(column: ICatalogColumn): string | undefined {
  return /^(float|int|uint)/.test(column.dtype)
    ? 'jp-JwstLab-numeric'
    : undefined;
}

/** A cell as text: floats to 6 significant digits, empty cells as a dash. */
export function formatCell(cell: CatalogCell, column: ICatalogColumn): string {
  if (cell === null) {
    return '—';
  }
  if (typeof cell === 'number' && column.dtype.startsWith('float')) {
    const magnitude = Math.abs(cell);
    return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e7)
      ? cell.toExponential(4)
      : String(Number(cell.toPrecision(column.unit === 'deg' ? 10 : 6)));
  }
  return String(cell);
}
