import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { MastRow } from '../../api/models';
import { CopyPython } from '../../components/CopyButton';
import { EmptyState } from '../../components/EmptyState';
import { IVirtualColumn, VirtualTable } from '../../components/VirtualTable';
import type { MastProductsModel } from '../../mast/productsModel';
import {
  isExclusive,
  MastSearchModel,
  PAGE_SIZES
} from '../../mast/searchModel';
import type { MastDownloadModel } from '../../mast/downloadModel';
import { useModel } from '../../models/useModel';
import { COLUMN_INFO, fitHeight, formatCell } from './cells';

/** Props of {@link MastResults}. */
export interface IMastResultsProps {
  search: MastSearchModel;
  /** Which observation is open (its row is highlighted). */
  products: MastProductsModel;
  trans: TranslationBundle;
  copy: (text: string) => void;
  /** Open an observation's products (click or Enter on its row). */
  onOpen: (row: MastRow) => void;
  /** Holds the observations ticked for "Download and reduce". */
  download: MastDownloadModel;
  /** Whether observations can be ticked (the server runs reductions). */
  selectable?: boolean;
}

/** The search results: summary, pager, column chooser and the virtualised table. */
export function MastResults({
  search,
  products,
  trans,
  copy,
  onOpen,
  download,
  selectable = false
}: IMastResultsProps): JSX.Element {
  const model = useModel(search);
  const selection = useModel(download);
  const ticked = selection.observations;
  const observation = useModel(products).observation;
  const result = model.state.value;
  if (result === null) {
    return model.state.status === 'loading' ? (
      <p className="jp-JwstLab-mastStatus" role="status">
        {trans.__('Searching MAST…')}
      </p>
    ) : (
      <EmptyState
        message={trans.__(
          'Search the MAST archive by target name or coordinates.'
        )}
        details={[
          trans.__(
            'Matching JWST observations are listed here; pick their products to download them next to your notebooks.'
          )
        ]}
      />
    );
  }
  // The page shown (while another loads, the numbers stay those of the rows shown).
  const page = result.page ?? model.params?.page ?? 1;
  const pageSize = result.page_size ?? model.pageSize;
  const total = result.total;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, (page - 1) * pageSize + result.rows.length);
  const loading = model.state.status === 'loading';

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
      )
    },
    ...model.columns.map(name => ({
      id: name,
      label: trans.__(COLUMN_INFO[name]?.label ?? name),
      title: name,
      width: COLUMN_INFO[name]?.width ?? 110,
      align: numericColumns.has(name) ? ('end' as const) : ('start' as const),
      render: (row: MastRow) => formatCell(name, row[name]),
      cellTitle: (row: MastRow) => formatCell(name, row[name])
    }))
  ];

  return (
    <section
      className="jp-JwstLab-mastResults"
      aria-label={trans.__('Search results')}
      aria-busy={loading}
    >
      <div className="jp-JwstLab-toolbarRow">
        <span className="jp-JwstLab-mastCount" role="status">
          {total === 0
            ? trans.__('No observations match.')
            : trans.__('%1–%2 of %3 observations', first, last, total)}
        </span>
        {result.source ? (
          <span className="jp-JwstLab-mastSource" data-source={result.source}>
            {result.source === 'local'
              ? trans.__('local archive')
              : trans.__('MAST')}
          </span>
        ) : null}
        <CopyPython
          code={result.python}
          copy={copy}
          trans={trans}
          what={trans.__('search')}
        />
      </div>
      <div className="jp-JwstLab-toolbarRow jp-JwstLab-mastPager">
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
        <label className="jp-JwstLab-inlineField">
          <span className="jp-JwstLab-fieldLabel">{trans.__('Per page')}</span>
          <select
            className="jp-JwstLab-mastPageSize jp-mod-styled"
            value={pageSize}
            onChange={event =>
              void model.setPageSize(Number(event.target.value))
            }
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
      </div>
      {result.notice ? (
        <p className="jp-JwstLab-mastNotice" role="note">
          {result.notice}
        </p>
      ) : null}
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
      {result.rows.length > 0 ? (
        <VirtualTable
          className="jp-JwstLab-mastTable"
          label={trans.__('Observations')}
          rows={model.rows}
          columns={columns}
          rowKey={(row, index) => String(row.obsid ?? row.obs_id ?? index)}
          sort={model.sort}
          onSortChange={sort => model.setSort(sort)}
          onActivate={row => onOpen(row)}
          activeKey={observation ? String(observation.obsid ?? '') : null}
          rowClassName={row =>
            isExclusive(row) ? 'jp-mod-exclusive' : undefined
          }
          height={fitHeight(result.rows.length, 280)}
        />
      ) : null}
    </section>
  );
}
