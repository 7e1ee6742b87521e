import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type {
  IDownloadProgress,
  IMastColumn,
  MastRow,
  MastValue
} from '../api/types';
import {
  CapabilityNote,
  ICapabilityNotice
} from '../components/CapabilityNote';
import { EmptyState } from '../components/EmptyState';
import { IVirtualColumn, VirtualTable } from '../components/VirtualTable';
import {
  isExclusive,
  isRecommended,
  MastSearchModel,
  PAGE_SIZES,
  productKey,
  productSize
} from '../mast/model';

/** Human labels and widths of MAST's observation columns. */
const COLUMN_INFO: Record<string, { label: string; width: number }> = {
  obs_id: { label: 'Observation', width: 220 },
  obsid: { label: 'obsid', width: 90 },
  target_name: { label: 'Target', width: 120 },
  s_ra: { label: 'RA (°)', width: 90 },
  s_dec: { label: 'Dec (°)', width: 90 },
  instrument_name: { label: 'Instrument', width: 110 },
  filters: { label: 'Filters', width: 100 },
  proposal_id: { label: 'Program', width: 70 },
  calib_level: { label: 'Level', width: 50 },
  dataRights: { label: 'Rights', width: 130 },
  t_min: { label: 'Start (UTC)', width: 130 },
  t_max: { label: 'End (UTC)', width: 130 },
  t_exptime: { label: 'Exp. time (s)', width: 90 },
  obs_collection: { label: 'Collection', width: 80 }
};

/** The MJD of the Unix epoch. */
const MJD_UNIX_EPOCH = 40587;

/** An MJD (MAST's `t_min`/`t_max`) as `YYYY-MM-DD HH:MM` UTC. */
export function formatMjd(mjd: number): string {
  const date = new Date((mjd - MJD_UNIX_EPOCH) * 86400000);
  if (Number.isNaN(date.getTime())) {
    return String(mjd);
  }
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** A cell's text: dates from MJD, coordinates to 5 decimals, nulls empty. */
export function formatCell(
  column: string,
  value: MastValue | undefined
): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    if ((column === 't_min' || column === 't_max') && value > 10000) {
      return formatMjd(value);
    }
    if (column === 's_ra' || column === 's_dec') {
      return value.toFixed(5);
    }
    return Number.isInteger(value)
      ? String(value)
      : String(Number(value.toPrecision(6)));
  }
  return String(value);
}

/** A size in bytes for people (decimal units: 1 MB = 10^6 bytes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A table height that fits `rows` rows (and the header) up to `max` pixels. */
function fitHeight(rows: number, max: number): number {
  return Math.min(max, (rows + 1) * 24 + 4);
}

interface ISectionProps {
  model: MastSearchModel;
  trans: TranslationBundle;
  copy: (text: string) => void;
}

/** A "Copy as Python" button that says when it copied. */
function CopyPython({
  code,
  copy,
  trans,
  what
}: {
  code: string | null | undefined;
  copy: (text: string) => void;
  trans: TranslationBundle;
  what: string;
}): JSX.Element | null {
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) {
      return;
    }
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  if (!code) {
    return null;
  }
  return (
    <button
      type="button"
      className="jp-JwstLab-copyPython jp-mod-styled"
      title={trans.__('Copy the equivalent astroquery code of the %1', what)}
      onClick={() => {
        copy(code);
        setCopied(true);
      }}
    >
      {copied ? trans.__('Copied') : trans.__('Copy as Python')}
    </button>
  );
}

/** The search results: summary, pager, column chooser and the virtualised table. */
export function MastResults({
  model,
  trans,
  copy
}: ISectionProps): JSX.Element {
  const search = model.search;
  const result = search.result;
  if (result === null) {
    return search.status === 'loading' ? (
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
  const page = result.page ?? search.params?.page ?? 1;
  const pageSize = result.page_size ?? model.pageSize;
  const total = result.total;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, (page - 1) * pageSize + result.rows.length);
  const loading = search.status === 'loading';

  const numericColumns = new Set(
    result.columns
      .filter(
        (column): column is IMastColumn =>
          typeof column === 'object' &&
          ['int', 'float', 'integer', 'number', 'double'].includes(
            String(column.type)
          )
      )
      .map(column => column.name)
  );
  const columns: IVirtualColumn<MastRow>[] = [
    {
      id: '__access',
      label: '',
      width: 24,
      sortable: false,
      render: row =>
        isExclusive(row) ? (
          <span
            className="jp-JwstLab-exclusiveMark"
            title={trans.__('Exclusive access: downloading needs a MAST token')}
            aria-label={trans.__('Exclusive access')}
          >
            🔒
          </span>
        ) : null
    },
    ...model.columns.map(name => ({
      id: name,
      label: trans.__(COLUMN_INFO[name]?.label ?? name),
      title: name,
      width: COLUMN_INFO[name]?.width ?? 110,
      align: numericColumns.has(name) ? ('end' as const) : ('start' as const),
      render: (row: MastRow) => {
        const text = formatCell(name, row[name]);
        return <span title={text}>{text}</span>;
      }
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
          onSortChange={sort => (model.sort = sort)}
          onActivate={row => void model.selectObservation(row)}
          activeKey={
            model.products.observation
              ? String(model.products.observation.obsid ?? '')
              : null
          }
          rowClassName={row =>
            isExclusive(row) ? 'jp-mod-exclusive' : undefined
          }
          height={fitHeight(result.rows.length, 280)}
        />
      ) : null}
    </section>
  );
}

/** Product types MAST uses. */
const PRODUCT_TYPES = [
  'SCIENCE',
  'CALIBRATION',
  'AUXILIARY',
  'PREVIEW',
  'THUMBNAIL',
  'INFO'
];

/** The selected observation's products: filters, quick selection and the table. */
export function MastProducts({
  model,
  trans,
  copy,
  defaultFolder
}: ISectionProps & { defaultFolder: () => string }): JSX.Element | null {
  const products = model.products;
  const observation = products.observation;
  React.useEffect(() => {
    if (observation) {
      model.setDefaultDest(defaultFolder());
    }
  }, [observation, model, defaultFolder]);
  if (!observation) {
    return null;
  }
  const rows = products.result?.rows ?? [];
  const selection = model.selection;
  const shownSelected = rows.filter(row =>
    selection.has(productKey(row))
  ).length;
  const recommended = rows.filter(isRecommended).length;
  const columns: IVirtualColumn<MastRow>[] = [
    {
      id: '__select',
      label: '',
      width: 28,
      sortable: false,
      render: row => {
        const key = productKey(row);
        return (
          <input
            type="checkbox"
            className="jp-JwstLab-productCheck"
            tabIndex={-1}
            aria-label={trans.__(
              'Select %1',
              String(row.productFilename ?? key)
            )}
            checked={selection.has(key)}
            onClick={event => event.stopPropagation()}
            onChange={event => model.toggleProduct(key, event.target.checked)}
          />
        );
      }
    },
    {
      id: 'productFilename',
      label: trans.__('File'),
      width: 260,
      sortable: false,
      render: row => (
        <span title={String(row.productFilename ?? '')}>
          {isRecommended(row) ? (
            <span
              className="jp-JwstLab-recommendedMark"
              title={trans.__('Recommended by MAST')}
            >
              ★{' '}
            </span>
          ) : null}
          {String(row.productFilename ?? '')}
        </span>
      )
    },
    {
      id: 'productType',
      label: trans.__('Type'),
      width: 90,
      sortable: false,
      render: row => formatCell('productType', row.productType)
    },
    {
      id: 'productSubGroupDescription',
      label: trans.__('Subgroup'),
      width: 70,
      sortable: false,
      render: row => formatCell('', row.productSubGroupDescription)
    },
    {
      id: 'calib_level',
      label: trans.__('Level'),
      width: 50,
      sortable: false,
      align: 'end',
      render: row => formatCell('calib_level', row.calib_level)
    },
    {
      id: 'size',
      label: trans.__('Size'),
      width: 80,
      sortable: false,
      align: 'end',
      render: row => (productSize(row) ? formatBytes(productSize(row)) : '')
    }
  ];

  return (
    <section
      className="jp-JwstLab-mastProducts"
      aria-label={trans.__('Products')}
      aria-busy={products.status === 'loading'}
    >
      <div className="jp-JwstLab-toolbarRow">
        <h3 className="jp-JwstLab-sectionTitle">
          {trans.__(
            'Products of %1',
            String(observation.obs_id ?? observation.obsid)
          )}
        </h3>
        <button
          type="button"
          className="jp-JwstLab-mastCloseProducts jp-mod-styled"
          onClick={() => model.closeObservation()}
        >
          {trans.__('Close')}
        </button>
      </div>
      <div className="jp-JwstLab-formRow">
        <label className="jp-JwstLab-field jp-JwstLab-grow">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Product type')}
          </span>
          <select
            className="jp-JwstLab-productType jp-mod-styled"
            value={products.productType}
            onChange={event =>
              void model.setProductFilters({ productType: event.target.value })
            }
          >
            <option value="">{trans.__('All')}</option>
            {PRODUCT_TYPES.map(type => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-JwstLab-field jp-JwstLab-grow">
          <span className="jp-JwstLab-fieldLabel">{trans.__('Level')}</span>
          <select
            className="jp-JwstLab-productLevel jp-mod-styled"
            value={products.calibLevel}
            onChange={event =>
              void model.setProductFilters({ calibLevel: event.target.value })
            }
          >
            <option value="">{trans.__('All')}</option>
            {['1', '2', '3', '4'].map(level => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </label>
      </div>
      {products.result?.notice ? (
        <p className="jp-JwstLab-mastNotice" role="note">
          {products.result.notice}
        </p>
      ) : null}
      {products.status === 'error' ? (
        <div className="jp-JwstLab-banner" role="alert">
          {trans.__('Cannot list the products: %1', products.error ?? '')}
        </div>
      ) : null}
      {products.status === 'loading' && rows.length === 0 ? (
        <p className="jp-JwstLab-mastStatus" role="status">
          {trans.__('Listing products…')}
        </p>
      ) : null}
      {products.status === 'ready' && rows.length === 0 ? (
        <p className="jp-JwstLab-mastStatus">
          {trans.__('No products match these filters.')}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <>
          <div className="jp-JwstLab-toolbarRow">
            <div className="jp-JwstLab-buttonGroup">
              <button
                type="button"
                className="jp-JwstLab-selectRecommended jp-mod-styled"
                disabled={recommended === 0}
                title={trans.__('Tick MAST\'s "Minimum Recommended Products"')}
                onClick={() => model.selectRecommended()}
              >
                {trans.__('Recommended (%1)', recommended)}
              </button>
              <button
                type="button"
                className="jp-JwstLab-selectAll jp-mod-styled"
                onClick={() => model.setSelection(rows.map(productKey))}
              >
                {trans.__('All')}
              </button>
              <button
                type="button"
                className="jp-JwstLab-selectNone jp-mod-styled"
                disabled={selection.size === 0}
                onClick={() => model.setSelection([])}
              >
                {trans.__('None')}
              </button>
            </div>
            <CopyPython
              code={products.result?.python}
              copy={copy}
              trans={trans}
              what={trans.__('product list')}
            />
          </div>
          <VirtualTable
            className="jp-JwstLab-productTable"
            label={trans.__('Products')}
            rows={rows}
            columns={columns}
            rowKey={row => productKey(row)}
            onActivate={row => model.toggleProduct(productKey(row))}
            rowClassName={row =>
              selection.has(productKey(row)) ? 'jp-mod-selected' : undefined
            }
            height={fitHeight(rows.length, 200)}
          />
          <p className="jp-JwstLab-selectionSummary" role="status">
            {trans.__(
              '%1 selected (%2 of them listed here) · %3',
              selection.size,
              shownSelected,
              formatBytes(model.selectionSize)
            )}
          </p>
        </>
      ) : null}
    </section>
  );
}

/** The download form and the progress of the download it started. */
export function MastDownload({
  model,
  trans,
  copy,
  notice,
  openFolder
}: ISectionProps & {
  notice: ICapabilityNotice | null;
  openFolder: ((path: string) => void) | null;
}): JSX.Element | null {
  const download = model.download;
  const folderId = React.useId();
  if (!model.products.observation && download.status === 'idle') {
    return null;
  }
  const count = model.selection.size;
  const busy =
    download.status === 'starting' ||
    download.status === 'queued' ||
    download.status === 'running';
  const progress = download.progress;
  const fraction =
    progress && progress.bytes_total
      ? Math.min(1, progress.bytes_done / progress.bytes_total)
      : null;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const status = model.download.status;
    const running =
      status === 'starting' || status === 'queued' || status === 'running';
    if (model.selection.size > 0 && !running && notice === null) {
      void model.startDownload();
    }
  };

  return (
    <section
      className="jp-JwstLab-mastDownload"
      aria-label={trans.__('Download')}
    >
      {model.products.observation ? (
        <form className="jp-JwstLab-form" onSubmit={submit}>
          <label className="jp-JwstLab-field" htmlFor={folderId}>
            <span className="jp-JwstLab-fieldLabel">
              {trans.__('Download into (folder under the server root)')}
            </span>
          </label>
          <div className="jp-JwstLab-formRow">
            <input
              id={folderId}
              className="jp-JwstLab-downloadFolder jp-mod-styled jp-JwstLab-grow"
              type="text"
              placeholder={trans.__("(the server's download folder)")}
              autoComplete="off"
              spellCheck={false}
              value={model.dest}
              onChange={event => model.setDest(event.target.value)}
            />
            <button
              type="submit"
              className="jp-JwstLab-downloadButton jp-mod-styled jp-mod-accept"
              disabled={count === 0 || busy || notice !== null}
            >
              {count === 1
                ? trans.__('Download 1 file')
                : trans.__('Download %1 files', count)}
            </button>
          </div>
          <CapabilityNote notice={notice} />
        </form>
      ) : null}
      {download.status !== 'idle' ? (
        <div
          className="jp-JwstLab-downloadStatus"
          data-status={download.status}
          role="status"
        >
          <progress
            className="jp-JwstLab-downloadProgress"
            max={1}
            value={
              download.status === 'succeeded' ? 1 : (fraction ?? undefined)
            }
            aria-label={trans.__('Download progress')}
          />
          <p className="jp-JwstLab-downloadText">
            {describeDownload(download.status, progress, trans)}
            {download.job ? (
              <span className="jp-JwstLab-downloadJob">
                {' '}
                {trans.__('(job %1 in the Jobs panel)', download.job.id)}
              </span>
            ) : null}
          </p>
          {download.error ? (
            <p className="jp-JwstLab-fieldError" role="alert">
              {download.error}
              {download.reason === 'token_required'
                ? ` ${trans.__('Set your MAST token under "MAST token" below, then download again.')}`
                : ''}
            </p>
          ) : null}
          <div className="jp-JwstLab-buttonGroup">
            {download.job &&
            (download.status === 'queued' || download.status === 'running') ? (
              <button
                type="button"
                className="jp-JwstLab-cancelDownload jp-mod-styled"
                onClick={() => void model.cancelDownload()}
              >
                {trans.__('Cancel')}
              </button>
            ) : null}
            {download.status === 'succeeded' && openFolder ? (
              <button
                type="button"
                className="jp-JwstLab-openFolder jp-mod-styled"
                onClick={() => openFolder(model.downloadFolder)}
              >
                {trans.__('Open folder')}
              </button>
            ) : null}
            <CopyPython
              code={download.python}
              copy={copy}
              trans={trans}
              what={trans.__('download')}
            />
          </div>
        </div>
      ) : null}
    </section>
  );
}

function describeDownload(
  status: string,
  p: IDownloadProgress | null,
  trans: TranslationBundle
): string {
  const amounts = p
    ? trans.__(
        '%1 of %2 files, %3 of %4',
        p.files_done,
        p.files_total ?? '?',
        formatBytes(p.bytes_done),
        p.bytes_total === null ? '?' : formatBytes(p.bytes_total)
      )
    : '';
  switch (status) {
    case 'starting':
      return trans.__('Starting the download…');
    case 'queued':
      return trans.__('Queued. %1', amounts);
    case 'running':
      return trans.__('Downloading: %1', amounts);
    case 'succeeded':
      return trans.__('Downloaded: %1', amounts);
    case 'failed':
      return trans.__('The download failed. %1', amounts);
    case 'cancelled':
      return trans.__('The download was cancelled. %1', amounts);
    case 'interrupted':
      return trans.__(
        'The download was interrupted; it resumes when the server is back. %1',
        amounts
      );
    default:
      return status;
  }
}

/** The MAST token: a password field sent only to the server; shows whether one is set. */
export function MastToken({
  model,
  trans
}: {
  model: MastSearchModel;
  trans: TranslationBundle;
}): JSX.Element {
  // The token lives only in this input until it is sent; never in the model or any store.
  const [value, setValue] = React.useState('');
  const input = React.useRef<HTMLInputElement>(null);
  const token = model.token;
  const set = token.state?.set ?? false;
  const busy = token.status === 'loading';
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const text = (input.current?.value ?? value).trim();
    if (!text || model.token.status === 'loading') {
      return;
    }
    const sent = await model.setToken(text);
    if (sent) {
      setValue('');
    }
  };
  const status =
    token.status === 'idle' || (token.status === 'loading' && !token.state)
      ? trans.__('Checking whether a MAST token is set…')
      : set
        ? token.state?.expires
          ? trans.__(
              'A MAST token is set (expires %1).',
              String(token.state.expires)
            )
          : trans.__('A MAST token is set.')
        : trans.__(
            'No MAST token: exclusive-access data cannot be downloaded.'
          );
  const storage = token.state?.storage;
  const where =
    set && storage === 'keyring'
      ? trans.__('The server keeps it in its system keyring.')
      : set && storage === 'memory'
        ? trans.__('The server keeps it in memory until it restarts.')
        : '';
  return (
    <details className="jp-JwstLab-mastToken">
      <summary>
        {trans.__('MAST token')}{' '}
        <span className="jp-JwstLab-tokenState" data-set={set}>
          {set ? trans.__('(set)') : trans.__('(not set)')}
        </span>
      </summary>
      <form className="jp-JwstLab-form" onSubmit={submit} autoComplete="off">
        <p className="jp-JwstLab-tokenStatus" role="status">
          {status}
        </p>
        {where ? <p className="jp-JwstLab-tokenWhere">{where}</p> : null}
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Token (kept by the server only)')}
          </span>
          <input
            ref={input}
            className="jp-JwstLab-tokenInput jp-mod-styled"
            type="password"
            name="mast-token"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={event => setValue(event.target.value)}
          />
        </label>
        {token.error ? (
          <p className="jp-JwstLab-fieldError" role="alert">
            {token.error}
          </p>
        ) : null}
        <div className="jp-JwstLab-buttonGroup">
          <button
            type="submit"
            className="jp-JwstLab-tokenSave jp-mod-styled jp-mod-accept"
            disabled={busy || value.trim() === ''}
          >
            {trans.__('Set token')}
          </button>
          {set ? (
            <button
              type="button"
              className="jp-JwstLab-tokenForget jp-mod-styled"
              disabled={busy}
              onClick={() => void model.forgetToken()}
            >
              {trans.__('Forget token')}
            </button>
          ) : null}
        </div>
      </form>
    </details>
  );
}
