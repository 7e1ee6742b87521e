import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { MastRow } from '../../api/models';
import { CopyPython } from '../../components/CopyButton';
import { IVirtualColumn, VirtualTable } from '../../components/VirtualTable';
import type { MastDownloadModel } from '../../mast/downloadModel';
import {
  isExclusive,
  MastSearchModel,
  PAGE_SIZES
} from '../../mast/searchModel';
import { useModel } from '../../models/useModel';
import { plural } from '../../translation';
import { COLUMN_INFO, formatCell } from './cells';

/** The key of an observation row (what selection and footprints use). */
export function observationKey(row: MastRow, index = 0): string {
  return String(row.obsid ?? row.obs_id ?? index);
}

/** Props of {@link MastResultsToolbar}. */
export interface IMastResultsToolbarProps {
  search: MastSearchModel;
  trans: TranslationBundle;
  copy: (text: string) => void;
  /** Rows left by the column filters. */
  shown: number;
}

/** The results' count, source, pager, page size, column chooser and "Copy as Python". */
export function MastResultsToolbar({
  search,
  trans,
  copy,
  shown
}: IMastResultsToolbarProps): JSX.Element | null {
  const model = useModel(search);
  const result = model.state.value;
  if (result === null) {
    return null;
  }
  // The page shown (while another loads, the numbers stay those of the rows shown).
  const page = result.page ?? model.params?.page ?? 1;
  const pageSize = result.page_size ?? model.pageSize;
  const total = result.total;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, (page - 1) * pageSize + result.rows.length);
  const loading = model.state.status === 'loading';
  const filtered = Object.keys(model.filters).length > 0;
  return (
    <div className="jp-JwstLab-toolbarRow jp-JwstLab-mastResultsToolbar">
      <span className="jp-JwstLab-mastCount" role="status">
        {total === 0
          ? trans.__('No observations match.')
          : plural(
              trans,
              total,
              '%2–%3 of %1 observation',
              '%2–%3 of %1 observations',
              first,
              last
            )}
        {filtered
          ? ` · ${trans._n('%1 shown by the filters', '%1 shown by the filters', shown)}`
          : ''}
      </span>
      {result.source ? (
        <span className="jp-JwstLab-mastSource" data-source={result.source}>
          {result.source === 'local'
            ? trans.__('local archive')
            : trans.__('MAST')}
        </span>
      ) : null}
      <span className="jp-JwstLab-mastPager">
        <button
          type="button"
          className="jp-JwstLab-mastPrev jp-mod-styled"
          disabled={loading || page <= 1}
          onClick={() => void model.goToPage(page - 1)}
        >
          {trans.__('Previous')}
        </button>
        <span className="jp-JwstLab-mastPage">
          {trans.__('Page %1 of %2', page, pages)}
        </span>
        <button
          type="button"
          className="jp-JwstLab-mastNext jp-mod-styled"
          disabled={loading || page >= pages}
          onClick={() => void model.goToPage(page + 1)}
        >
          {trans.__('Next')}
        </button>
      </span>
      <label className="jp-JwstLab-inlineField">
        <span className="jp-JwstLab-fieldLabel">{trans.__('Per page')}</span>
        <select
          className="jp-JwstLab-mastPageSize jp-mod-styled"
          value={pageSize}
          onChange={event => void model.setPageSize(Number(event.target.value))}
        >
          {Array.from(new Set([...PAGE_SIZES, pageSize]))
            .sort((a, b) => a - b)
            .map(size => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
        </select>
      </label>
      <details className="jp-JwstLab-mastColumns">
        <summary>{trans.__('Columns')}</summary>
        <div className="jp-JwstLab-mastColumnList">
          {model.availableColumns.map(name => (
            <label key={name} className="jp-JwstLab-checkbox">
              <input
                type="checkbox"
                checked={model.columns.includes(name)}
                onChange={() => model.toggleColumn(name)}
              />
              <span title={name}>
                {trans.__(COLUMN_INFO[name]?.label ?? name)}
              </span>
            </label>
          ))}
        </div>
      </details>
      {filtered ? (
        <button
          type="button"
          className="jp-JwstLab-mastClearFilters jp-mod-styled"
          onClick={() => model.clearFilters()}
        >
          {trans.__('Clear filters')}
        </button>
      ) : null}
      <CopyPython
        code={result.python}
        copy={copy}
        trans={trans}
        what={trans.__('search')}
      />
    </div>
  );
}

/** Props of {@link MastResults}. */
export interface IMastResultsProps {
  search: MastSearchModel;
  /** The rows to show: the page, sorted and filtered. */
  rows: readonly MastRow[];
  trans: TranslationBundle;
  /** The selected observation's key (its row and footprint are highlighted). */
  selected: string | null;
  /** Select an observation (click or Enter on its row): its products open. */
  onSelect: (row: MastRow) => void;
  /** Holds the observations ticked for "Download and reduce". */
  download: MastDownloadModel;
  /** Whether observations can be ticked (the server runs reductions). */
  selectable?: boolean;
}

/** The wide results grid: sortable, a filter under each header, virtualised. */
export function MastResults({
  search,
  rows,
  trans,
  selected,
  onSelect,
  download,
  selectable = false
}: IMastResultsProps): JSX.Element | null {
  const model = useModel(search);
  const selection = useModel(download);
  const ticked = selection.observations;
  const result = model.state.value;
  if (result === null) {
    return null;
  }
  const numericColumns = new Set(
    result.columns
      .filter(column => column.type === 'int' || column.type === 'float')
      .map(column => column.name)
  );
  // The tick for "Download and reduce" shares the first cell with the lock,
  // so the data columns keep their places.
  const tick = (row: MastRow): JSX.Element | null => {
    const obsid =
      row.obsid === null || row.obsid === undefined ? '' : String(row.obsid);
    if (!selectable || !obsid) {
      return null;
    }
    return (
      <input
        type="checkbox"
        className="jp-JwstLab-observationTick"
        checked={ticked.has(obsid)}
        aria-label={trans.__(
          'Select %1 to download and reduce',
          String(row.obs_id ?? obsid)
        )}
        // Ticking does not open the observation.
        onClick={event => event.stopPropagation()}
        onKeyDown={event => event.stopPropagation()}
        onChange={event =>
          selection.toggleObservation(obsid, event.target.checked)
        }
      />
    );
  };
  const columns: IVirtualColumn<MastRow>[] = [
    {
      id: '__access',
      label: '',
      width: selectable ? 44 : 24,
      sortable: false,
      render: row => (
        <>
          {tick(row)}
          {isExclusive(row) ? (
            <span
              className="jp-JwstLab-exclusiveMark"
              title={trans.__(
                'Exclusive access: downloading needs a MAST token'
              )}
              aria-label={trans.__('Exclusive access')}
            >
              🔒
            </span>
          ) : null}
        </>
      ),
      filter: null
    },
    ...model.columns.map(name => {
      const label = trans.__(COLUMN_INFO[name]?.label ?? name);
      const numeric = numericColumns.has(name);
      return {
        id: name,
        label,
        title: name,
        width: COLUMN_INFO[name]?.width ?? 110,
        align: numeric ? ('end' as const) : ('start' as const),
        render: (row: MastRow) => formatCell(name, row[name]),
        cellTitle: (row: MastRow) => formatCell(name, row[name]),
        filter: (
          <input
            type="search"
            className="jp-JwstLab-mastColumnFilter"
            data-column={name}
            aria-label={trans.__('Filter %1', label)}
            placeholder={numeric ? '>, <, a..b' : trans.__('filter')}
            title={
              numeric
                ? trans.__('Numbers: >5, <=2, =3 or 1..4; else text')
                : trans.__('Words the cell contains; !word excludes')
            }
            value={model.filters[name] ?? ''}
            onChange={event => model.setFilter(name, event.target.value)}
          />
        )
      };
    })
  ];

  return (
    <VirtualTable
      className="jp-JwstLab-mastTable"
      label={trans.__('Observations')}
      rows={rows}
      columns={columns}
      rowKey={(row, index) => observationKey(row, index)}
      sort={model.sort}
      onSortChange={sort => model.setSort(sort)}
      onActivate={row => onSelect(row)}
      activeKey={selected}
      rowClassName={row => (isExclusive(row) ? 'jp-mod-exclusive' : undefined)}
    />
  );
}
