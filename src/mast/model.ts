import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { JwstLabApiError } from '../api/client';
import type { ConnectionState, IEventsConnection } from '../api/events';
import type {
  EventsStreamMessage,
  IDownloadProgress,
  IJobRecord,
  IMastColumn,
  IMastProductsResult,
  IMastSearchParams,
  IMastSearchResult,
  IMastTokenState,
  JobStatus,
  MastRow
} from '../api/types';
import { ISortState, sortRows } from '../components/VirtualTable';
import { IJwstLabClient, TRANSLATION_DOMAIN } from '../tokens';
import {
  buildSearch,
  DEFAULT_RADIUS_DEG,
  emptyForm,
  fieldErrorsFromMessage,
  IMastSearchForm,
  isSearchForm,
  MastFormErrors
} from './form';

/** Rows per page the panel offers; the server may cap them. */
export const PAGE_SIZES = [100, 500, 1000, 5000, 10000];

/** Rows per page when nothing was chosen. */
export const DEFAULT_PAGE_SIZE = 1000;

/** Columns shown before the user picks any. */
export const DEFAULT_COLUMNS = [
  'obs_id',
  'target_name',
  'instrument_name',
  'filters',
  'proposal_id',
  'calib_level',
  't_min',
  'dataRights'
];

/** MAST's group name of the products it recommends. */
export const RECOMMENDED_GROUP = 'Minimum Recommended Products';

/** What is remembered of the last search across reloads (never the token). */
export interface IMastSavedSearch {
  form: IMastSearchForm;
  page: number;
  page_size: number;
  sort: ISortState | null;
  columns: string[];
}

/** Whether `value` is a saved search from the state database. */
export function isSavedSearch(value: unknown): value is IMastSavedSearch {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const raw = value as Partial<IMastSavedSearch>;
  return (
    isSearchForm(raw.form) &&
    typeof raw.page === 'number' &&
    raw.page >= 1 &&
    typeof raw.page_size === 'number' &&
    raw.page_size >= 1 &&
    Array.isArray(raw.columns) &&
    raw.columns.every(column => typeof column === 'string')
  );
}

/** A request's life: not asked, waiting, answered or failed. */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** The search request and its answer. */
export interface ISearchState {
  status: LoadStatus;
  /** The parameters of the page shown or being loaded. */
  params: IMastSearchParams | null;
  result: IMastSearchResult | null;
  /** A failure that belongs to no form field (e.g. 502 from MAST), with its HTTP status. */
  error: { message: string; status: number } | null;
}

/** The products of the selected observation. */
export interface IProductsState {
  status: LoadStatus;
  /** The observation whose products these are. */
  observation: MastRow | null;
  result: IMastProductsResult | null;
  error: string | null;
  /** Only products of this type (`SCIENCE`, ...), or all. */
  productType: string;
  /** Only products of this calibration level, or all. */
  calibLevel: string;
}

/** A download the panel started, followed through job events. */
export interface IDownloadState {
  status: 'idle' | 'starting' | JobStatus;
  job: IJobRecord | null;
  progress: IDownloadProgress | null;
  /** The folder asked for, relative to the server root. */
  dest: string;
  error: string | null;
  /** The server's reason code of `error` (e.g. `token_required`), or null. */
  reason: string | null;
  /** The equivalent astroquery code of the download, when the server sent it. */
  python: string | null;
}

/** What the panel knows of the server's MAST token. */
export interface ITokenState {
  status: LoadStatus;
  state: IMastTokenState | null;
  error: string | null;
}

/** The names of a MAST table's columns, whatever form the server sent them in. */
export function columnNames(
  columns: (string | IMastColumn)[] | undefined
): string[] {
  return (columns ?? [])
    .map(column => (typeof column === 'string' ? column : column?.name))
    .filter((name): name is string => typeof name === 'string');
}

/** The key of a product: its dataURI (what a download asks for). */
export function productKey(row: MastRow): string {
  return String(row.dataURI ?? row.productFilename ?? '');
}

/** A product's size in bytes, or 0 when unknown. */
export function productSize(row: MastRow): number {
  const size = Number(row.size);
  return Number.isFinite(size) && size > 0 ? size : 0;
}

/** Whether MAST recommends a product (its group is "Minimum Recommended Products"). */
export function isRecommended(row: MastRow): boolean {
  return row.productGroupDescription === RECOMMENDED_GROUP;
}

/** Whether a row holds exclusive-access data (needs a token to download). */
export function isExclusive(row: MastRow): boolean {
  const rights = String(row.dataRights ?? '').toUpperCase();
  return rights !== '' && rights !== 'PUBLIC';
}

/** The folder shared by every path (POSIX, relative), or '' when none. */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) {
    return '';
  }
  const split = paths.map(path => path.split('/').slice(0, -1));
  const first = split[0];
  let length = first.length;
  for (const parts of split.slice(1)) {
    let index = 0;
    while (
      index < length &&
      index < parts.length &&
      parts[index] === first[index]
    ) {
      index++;
    }
    length = index;
  }
  return first.slice(0, length).join('/');
}

const FINAL: ReadonlySet<string> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'interrupted'
]);

/** How often a running download is asked for when live events are not flowing, ms. */
const POLL_INTERVAL = 2000;

/**
 * The state of the MAST panel: the form, the last search and its page, the
 * selected observation's products and the ticked ones, a download and the
 * token's state. Views read it and call its methods; it calls the client.
 *
 * The token typed by the user is passed straight to the client and never
 * kept here, so it can never reach a saved state.
 */
export class MastSearchModel implements IDisposable {
  /** Create the model. */
  constructor(options: MastSearchModel.IOptions) {
    this._client = options.client;
    this._trans = options.trans ?? nullTranslator.load(TRANSLATION_DOMAIN);
    this._form = emptyForm(options.defaultRadius ?? DEFAULT_RADIUS_DEG);
    this._defaultRadiusText = this._form.radius;
    this._events = options.events ?? null;
    this._events?.events.connect(this._onEvent, this);
    this._events?.connectionStateChanged.connect(this._onConnection, this);
  }

  /** Emitted when anything the panel shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted with what to remember after each search the user ran (never the token). */
  get saved(): ISignal<this, IMastSavedSearch> {
    return this._saved;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The form as typed. */
  get form(): IMastSearchForm {
    return this._form;
  }

  /** Change some form fields; their server errors go away. */
  setForm(patch: Partial<IMastSearchForm>): void {
    this._form = { ...this._form, ...patch };
    const errors = { ...this._serverErrors };
    for (const key of Object.keys(patch)) {
      delete errors[key as keyof MastFormErrors];
    }
    delete errors.form;
    this._serverErrors = errors;
    this._changed.emit();
  }

  /** Set the radius field from degrees unless the user typed one. */
  setDefaultRadius(degrees: number): void {
    const radius = emptyForm(degrees).radius;
    if (this._form.radius === this._defaultRadiusText) {
      this._form = { ...this._form, radius };
      this._changed.emit();
    }
    this._defaultRadiusText = radius;
  }

  /** Messages for the form fields: the form's own checks, then what the server said. */
  get formErrors(): MastFormErrors {
    return { ...this.validation.errors, ...this._serverErrors };
  }

  /** What the server said about the last search's fields (400, or 404 for a target). */
  get serverErrors(): MastFormErrors {
    return this._serverErrors;
  }

  /** The form's own checks: parameters, or messages per field. */
  get validation(): ReturnType<typeof buildSearch> {
    if (this._validated?.form !== this._form) {
      this._validated = {
        form: this._form,
        value: buildSearch(this._form, this._trans)
      };
    }
    return this._validated.value;
  }

  get search(): ISearchState {
    return this._search;
  }

  /** Rows of the current page in the chosen order. */
  get rows(): readonly MastRow[] {
    const rows = this._search.result?.rows ?? EMPTY_ROWS;
    if (this._sorted?.rows !== rows || this._sorted.sort !== this._sort) {
      this._sorted = {
        rows,
        sort: this._sort,
        value: sortRows(rows, this._sort, (row, column) => row[column])
      };
    }
    return this._sorted.value;
  }

  get sort(): ISortState | null {
    return this._sort;
  }

  /**
   * Sort by a column. When the page holds every row, the rows are sorted here;
   * when the search has more rows than the page, the server sorts them all and
   * the first page is shown again.
   */
  set sort(sort: ISortState | null) {
    this._sort = sort;
    const params = this._search.params;
    const result = this._search.result;
    if (
      params &&
      result &&
      this._serverSort &&
      result.total > result.rows.length
    ) {
      void this._runSearch({ ...params, page: 1, sort: sortParam(sort) });
      return;
    }
    this._changed.emit();
    this._emitSaved();
  }

  /** Rows per page. */
  get pageSize(): number {
    return this._pageSize;
  }

  /** The columns the server answered with (all that can be shown). */
  get availableColumns(): string[] {
    const names = columnNames(this._search.result?.columns);
    if (names.length > 0) {
      return names;
    }
    const first = this._search.result?.rows[0];
    return first ? Object.keys(first) : DEFAULT_COLUMNS;
  }

  /** The columns shown, in order. */
  get columns(): string[] {
    return this._columns;
  }

  /** Show or hide a column. */
  toggleColumn(name: string): void {
    this._columns = this._columns.includes(name)
      ? this._columns.filter(column => column !== name)
      : [...this._columns, name];
    this._changed.emit();
    this._emitSaved();
  }

  /**
   * Run the search in the form at `page` (1 by default, a new search); the
   * form's own problems stop it before any request.
   */
  async submit(page = 1, pageSize = this._pageSize): Promise<void> {
    const { params } = this.validation;
    if (params === null) {
      this._changed.emit();
      return;
    }
    this._serverErrors = {};
    await this._runSearch({
      ...params,
      page,
      page_size: pageSize,
      sort: this._serverSort ? sortParam(this._sort) : undefined
    });
  }

  /** Show another page of the last search. */
  async goToPage(page: number): Promise<void> {
    const params = this._search.params;
    if (!params) {
      return;
    }
    await this._runSearch({ ...params, page });
  }

  /** Change the page size; the last search runs again from its first page. */
  async setPageSize(pageSize: number): Promise<void> {
    this._pageSize = pageSize;
    const params = this._search.params;
    if (params) {
      await this._runSearch({ ...params, page: 1, page_size: pageSize });
    } else {
      this._changed.emit();
    }
  }

  /** Put back a saved search; `run` also asks the server for its page again. */
  async restore(saved: IMastSavedSearch, run: boolean): Promise<void> {
    this._form = { ...saved.form };
    this._pageSize = saved.page_size;
    this._sort = saved.sort ?? null;
    if (saved.columns.length > 0) {
      this._columns = [...saved.columns];
    }
    this._changed.emit();
    if (run && this.validation.params !== null) {
      await this.submit(saved.page, saved.page_size);
    }
  }

  /** What a reload would restore now. */
  get savedState(): IMastSavedSearch {
    return {
      form: { ...this._form },
      page: this._search.params?.page ?? 1,
      page_size: this._pageSize,
      sort: this._sort,
      columns: [...this._columns]
    };
  }

  // Products

  get products(): IProductsState {
    return this._products;
  }

  /** Open an observation: load its products. */
  async selectObservation(row: MastRow): Promise<void> {
    this._products = {
      ...this._products,
      observation: row,
      result: null,
      error: null
    };
    this._selection = new Set();
    this._sizes = new Map();
    await this.loadProducts();
  }

  /** Close the observation detail. */
  closeObservation(): void {
    this._productsGeneration++;
    this._products = { ...EMPTY_PRODUCTS };
    this._selection = new Set();
    this._changed.emit();
  }

  /** Filter the products by type and level (`''` for all); loads them again. */
  async setProductFilters(filters: {
    productType?: string;
    calibLevel?: string;
  }): Promise<void> {
    this._products = {
      ...this._products,
      productType: filters.productType ?? this._products.productType,
      calibLevel: filters.calibLevel ?? this._products.calibLevel
    };
    await this.loadProducts();
  }

  /** Ask the server for the selected observation's products (with the filters). */
  async loadProducts(): Promise<void> {
    const observation = this._products.observation;
    const obsid = observation?.obsid;
    if (obsid === null || obsid === undefined) {
      return;
    }
    const generation = ++this._productsGeneration;
    this._products = { ...this._products, status: 'loading', error: null };
    this._changed.emit();
    try {
      const result = await this._client.listProducts(String(obsid), {
        product_type: this._products.productType || undefined,
        calib_level: this._products.calibLevel
          ? Number(this._products.calibLevel)
          : undefined
      });
      if (generation !== this._productsGeneration || this._isDisposed) {
        return;
      }
      const rows = Array.isArray(result.rows) ? result.rows : [];
      rows.forEach(row => this._sizes.set(productKey(row), productSize(row)));
      this._products = {
        ...this._products,
        status: 'ready',
        result: { ...result, rows }
      };
    } catch (error) {
      if (generation !== this._productsGeneration || this._isDisposed) {
        return;
      }
      this._products = {
        ...this._products,
        status: 'error',
        error: messageOf(error)
      };
    }
    this._changed.emit();
  }

  /** The dataURIs of the ticked products (kept when filters change). */
  get selection(): ReadonlySet<string> {
    return this._selection;
  }

  /** Total size in bytes of the ticked products. */
  get selectionSize(): number {
    let total = 0;
    this._selection.forEach(key => (total += this._sizes.get(key) ?? 0));
    return total;
  }

  /** Tick or untick one product. */
  toggleProduct(key: string, selected?: boolean): void {
    const next = new Set(this._selection);
    const on = selected ?? !next.has(key);
    if (on) {
      next.add(key);
    } else {
      next.delete(key);
    }
    this._selection = next;
    this._changed.emit();
  }

  /** Tick exactly `keys`. */
  setSelection(keys: Iterable<string>): void {
    this._selection = new Set(keys);
    this._changed.emit();
  }

  /** Tick MAST's recommended products among those listed (and only them). */
  selectRecommended(): void {
    const rows = this._products.result?.rows ?? [];
    this.setSelection(rows.filter(isRecommended).map(productKey));
  }

  // Downloads

  get download(): IDownloadState {
    return this._download;
  }

  /** The destination folder field. */
  get dest(): string {
    return this._dest;
  }

  /** Set the destination folder as the user typed it. */
  setDest(value: string): void {
    this._dest = value;
    this._destEdited = true;
    this._changed.emit();
  }

  /** Offer a default destination (settings or file browser); the user's own choice wins. */
  setDefaultDest(value: string): void {
    if (this._destEdited || value === this._dest) {
      return;
    }
    this._dest = value;
    this._changed.emit();
  }

  /** Start downloading the ticked products into `dest`. */
  async startDownload(): Promise<void> {
    const products = Array.from(this._selection);
    if (products.length === 0) {
      return;
    }
    const dest = this._dest.trim().replace(/^\/+/, '').replace(/\/+$/, '');
    this._download = {
      status: 'starting',
      job: null,
      progress: null,
      dest,
      error: null,
      reason: null,
      python: null
    };
    this._changed.emit();
    try {
      const job = await this._client.createDownload({
        products,
        ...(dest ? { dest } : {}),
        ...(this._search.params?.source
          ? { source: this._search.params.source }
          : {})
      });
      const python =
        typeof job.python === 'string'
          ? job.python
          : typeof job.commands?.python === 'string'
            ? job.commands.python
            : null;
      this._download = {
        ...this._download,
        job,
        status: job.status ?? 'queued',
        progress: downloadProgress(job.progress) ?? this._download.progress,
        python
      };
      this._startPolling();
    } catch (error) {
      this._download = {
        ...this._download,
        status: 'failed',
        error: messageOf(error),
        reason: error instanceof JwstLabApiError ? error.reason : null
      };
    }
    this._changed.emit();
  }

  /** Cancel the running download (`POST /jobs/{id}/cancel`). */
  async cancelDownload(): Promise<void> {
    const job = this._download.job;
    if (!job || FINAL.has(this._download.status)) {
      return;
    }
    try {
      const record = await this._client.cancelJob(job.id);
      if (record && record.id === job.id) {
        this._applyJob(record);
      }
    } catch (error) {
      this._download = { ...this._download, error: messageOf(error) };
      this._changed.emit();
    }
  }

  /** Where the downloaded files are: the folder their paths share, else the destination. */
  get downloadFolder(): string {
    const job = this._download.job;
    const outputs = (job?.outputs ?? []).filter(path => !path.startsWith('/'));
    const folder = typeof job?.output_dir === 'string' ? job.output_dir : '';
    return (
      commonFolder(outputs) ||
      (folder && folder !== '.' && !folder.startsWith('/') ? folder : '') ||
      this._download.dest
    );
  }

  // Token

  get token(): ITokenState {
    return this._token;
  }

  /** Ask the server whether it holds a token. */
  async refreshToken(): Promise<void> {
    this._token = { ...this._token, status: 'loading', error: null };
    this._changed.emit();
    try {
      const state = await this._client.getMastToken();
      this._token = { status: 'ready', state, error: null };
    } catch (error) {
      this._token = {
        ...this._token,
        status: 'error',
        error: messageOf(error)
      };
    }
    this._changed.emit();
  }

  /** Send a token to the server; it is not kept anywhere in the browser. */
  async setToken(token: string): Promise<boolean> {
    this._token = { ...this._token, status: 'loading', error: null };
    this._changed.emit();
    try {
      const state = await this._client.setMastToken(token);
      this._token = {
        status: 'ready',
        state: state && typeof state.set === 'boolean' ? state : { set: true },
        error: null
      };
      this._changed.emit();
      return true;
    } catch (error) {
      this._token = {
        ...this._token,
        status: 'error',
        error: messageOf(error)
      };
      this._changed.emit();
      return false;
    }
  }

  /** Make the server forget its token. */
  async forgetToken(): Promise<void> {
    this._token = { ...this._token, status: 'loading', error: null };
    this._changed.emit();
    try {
      await this._client.deleteMastToken();
      this._token = { status: 'ready', state: { set: false }, error: null };
    } catch (error) {
      this._token = {
        ...this._token,
        status: 'error',
        error: messageOf(error)
      };
    }
    this._changed.emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._stopPolling();
    this._events?.events.disconnect(this._onEvent, this);
    this._events?.connectionStateChanged.disconnect(this._onConnection, this);
    Signal.clearData(this);
  }

  /** Apply a job event to the download the panel follows. */
  handleEvent(message: EventsStreamMessage): void {
    const job = this._download.job;
    if (!job) {
      return;
    }
    const jobId = (message as { job_id?: unknown }).job_id;
    switch (message.type) {
      case 'job.created':
      case 'job.updated': {
        const record = (message as { job?: unknown }).job as
          IJobRecord | undefined;
        if (!record || typeof record !== 'object' || record.id !== job.id) {
          return;
        }
        this._applyJob(record);
        break;
      }
      case 'job.progress': {
        if (jobId !== job.id) {
          return;
        }
        const progress = downloadProgress(
          (message as { progress?: unknown }).progress
        );
        if (progress) {
          this._download = {
            ...this._download,
            progress,
            status:
              this._download.status === 'queued'
                ? 'running'
                : this._download.status
          };
          this._changed.emit();
        }
        break;
      }
      case 'events.dropped':
        void this._pollOnce();
        break;
      default:
        break;
    }
  }

  private _applyJob(record: IJobRecord): void {
    this._download = {
      ...this._download,
      job: record,
      status: record.status,
      progress: downloadProgress(record.progress) ?? this._download.progress,
      error: typeof record.error === 'string' ? record.error : null
    };
    if (FINAL.has(record.status)) {
      this._stopPolling();
    }
    this._changed.emit();
  }

  private async _runSearch(params: IMastSearchParams): Promise<void> {
    const generation = ++this._searchGeneration;
    this._search = { ...this._search, status: 'loading', params, error: null };
    this._changed.emit();
    try {
      const result = await this._client.searchObservations(params);
      if (generation !== this._searchGeneration || this._isDisposed) {
        return;
      }
      const rows = Array.isArray(result.rows) ? result.rows : [];
      this._search = {
        status: 'ready',
        params: {
          ...params,
          page: typeof result.page === 'number' ? result.page : params.page,
          page_size:
            typeof result.page_size === 'number'
              ? result.page_size
              : params.page_size
        },
        result: {
          ...result,
          rows,
          total: typeof result.total === 'number' ? result.total : rows.length
        },
        error: null
      };
      if (typeof result.page_size === 'number') {
        this._pageSize = result.page_size;
      }
      const available = new Set(this.availableColumns);
      if (
        available.size > 0 &&
        !this._columns.some(column => available.has(column))
      ) {
        this._columns = this.availableColumns.slice(0, 8);
      }
    } catch (error) {
      if (generation !== this._searchGeneration || this._isDisposed) {
        return;
      }
      const status = error instanceof JwstLabApiError ? error.status : 0;
      const message = messageOf(error);
      if (status === 400 && params.sort && /\bsort\b/.test(message)) {
        // The server cannot sort by this column: sort the page here instead.
        this._serverSort = false;
        await this._runSearch({ ...params, sort: undefined });
        return;
      }
      if (status === 400) {
        this._serverErrors = fieldErrorsFromMessage(message);
        this._search = { ...this._search, status: 'error', error: null };
      } else if (status === 404 && params.target !== undefined) {
        // The name resolver does not know the target: say so at the field.
        this._serverErrors = { target: message };
        this._search = { ...this._search, status: 'error', error: null };
      } else {
        this._search = {
          ...this._search,
          status: 'error',
          error: { message, status }
        };
      }
    }
    this._changed.emit();
    this._emitSaved();
  }

  private _emitSaved(): void {
    if (this._search.params) {
      this._saved.emit(this.savedState);
    }
  }

  private _onEvent(_: IEventsConnection, message: EventsStreamMessage): void {
    this.handleEvent(message);
  }

  private _onConnection(_: IEventsConnection, state: ConnectionState): void {
    if (state === 'open') {
      // Events sent while the socket was down are lost.
      void this._pollOnce();
    }
  }

  /** While live events are not flowing, follow the running download over REST. */
  private _startPolling(): void {
    this._stopPolling();
    this._pollTimer = setInterval(() => {
      if (this._events?.connectionState !== 'open') {
        void this._pollOnce();
      }
    }, POLL_INTERVAL);
  }

  private _stopPolling(): void {
    if (this._pollTimer !== null) {
      clearInterval(this._pollTimer);
      this._pollTimer = null;
    }
  }

  private async _pollOnce(): Promise<void> {
    const job = this._download.job;
    if (!job || FINAL.has(this._download.status) || this._isDisposed) {
      return;
    }
    try {
      const record = await this._client.getJob(job.id);
      if (record && record.id === job.id && !this._isDisposed) {
        this._applyJob(record);
      }
    } catch {
      // The next event or poll tries again.
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _trans: TranslationBundle;
  private readonly _events: IEventsConnection | null;
  private _form: IMastSearchForm;
  private _defaultRadiusText = emptyForm().radius;
  private _validated: {
    form: IMastSearchForm;
    value: ReturnType<typeof buildSearch>;
  } | null = null;
  private _serverErrors: MastFormErrors = {};
  private _search: ISearchState = {
    status: 'idle',
    params: null,
    result: null,
    error: null
  };
  private _searchGeneration = 0;
  private _sort: ISortState | null = null;
  private _serverSort = true;
  private _sorted: {
    rows: readonly MastRow[];
    sort: ISortState | null;
    value: readonly MastRow[];
  } | null = null;
  private _pageSize = DEFAULT_PAGE_SIZE;
  private _columns = [...DEFAULT_COLUMNS];
  private _products: IProductsState = { ...EMPTY_PRODUCTS };
  private _productsGeneration = 0;
  private _selection: Set<string> = new Set();
  private _sizes = new Map<string, number>();
  private _dest = '';
  private _destEdited = false;
  private _download: IDownloadState = {
    status: 'idle',
    job: null,
    progress: null,
    dest: '',
    error: null,
    reason: null,
    python: null
  };
  private _token: ITokenState = { status: 'idle', state: null, error: null };
  private _pollTimer: ReturnType<typeof setInterval> | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _saved = new Signal<this, IMastSavedSearch>(this);
}

/** The namespace for `MastSearchModel` statics. */
export namespace MastSearchModel {
  /** Options to create the model. */
  export interface IOptions {
    client: IJwstLabClient;
    /** Job events, to follow downloads; without them the model polls. */
    events?: IEventsConnection | null;
    /** Initial radius of the form, degrees. */
    defaultRadius?: number;
    trans?: TranslationBundle;
  }
}

const EMPTY_ROWS: MastRow[] = [];

const EMPTY_PRODUCTS: IProductsState = {
  status: 'idle',
  observation: null,
  result: null,
  error: null,
  productType: '',
  calibLevel: ''
};

/** The `sort` parameter of a search: the column, `-` in front for descending. */
export function sortParam(sort: ISortState | null): string | undefined {
  if (!sort || sort.column.startsWith('__')) {
    return undefined;
  }
  return sort.direction === 'descending' ? `-${sort.column}` : sort.column;
}

/** A download job's progress from a job record or event, or null when it has none. */
export function downloadProgress(value: unknown): IDownloadProgress | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const raw = value as Record<string, unknown>;
  if (
    typeof raw.bytes_done !== 'number' &&
    typeof raw.files_done !== 'number'
  ) {
    return null;
  }
  const count = (key: string): number | null =>
    typeof raw[key] === 'number' && (raw[key] as number) >= 0
      ? (raw[key] as number)
      : null;
  return {
    bytes_done: count('bytes_done') ?? 0,
    bytes_total: count('bytes_total'),
    files_done: count('files_done') ?? 0,
    files_total: count('files_total')
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
